// Pure: the drift memory from check to check. An episode starts when the first resource drifts
// and ends when none does; each new appearance of a drifted resource is a strike, and too many
// strikes within a window mean another writer keeps undoing our repairs (the fight guard).
import type { ResourceKey } from '../domain/resource.js';
import type { DriftEntry } from './types.js';

export interface FightGuard {
  /** Repairs allowed for one resource within the window; the next drift stops healing it. */
  readonly maxHeals: number;
  readonly windowMs: number;
}

export const DEFAULT_FIGHT_GUARD: FightGuard = { maxHeals: 3, windowMs: 10 * 60_000 };

export interface Episode {
  /** Stable id: applied revision and start time. */
  readonly id: string;
  readonly revision: string;
  readonly startedAt: string;
}

export interface DriftMemory {
  readonly revision?: string;
  readonly episode?: Episode;
  /** Every resource drifting now, by key. */
  readonly entries: Readonly<Record<string, DriftEntry>>;
  /** When each resource started drifting again (ms), inside the window. */
  readonly strikes: Readonly<Record<string, readonly number[]>>;
  /** Resources we stopped healing, with the manager that keeps changing them. */
  readonly fighting: Readonly<Record<string, string>>;
}

export const EMPTY_MEMORY: DriftMemory = { entries: {}, strikes: {}, fighting: {} };

export interface DriftCheck {
  readonly revision: string;
  /** Keys this check looked at (`all` for a full check); entries outside them are kept. */
  readonly checked: readonly ResourceKey[] | 'all';
  readonly found: readonly DriftEntry[];
  readonly now: Date;
  readonly guard: FightGuard;
  /**
   * Keys a job of ours just finished writing: still drifting means the repair was undone at once,
   * a new appearance (a strike, and another heal), not the same drift going on.
   */
  readonly renewed?: ReadonlySet<string>;
}

export interface DriftAdvance {
  readonly memory: DriftMemory;
  readonly transition: 'none' | 'started' | 'changed' | 'ended';
  /** Resources that began drifting with this check. */
  readonly appeared: readonly DriftEntry[];
  /** Resources healed (or otherwise back in line) with this check. */
  readonly cleared: readonly DriftEntry[];
  /** Resources the fight guard gave up on with this check. */
  readonly fightingStarted: readonly DriftEntry[];
}

export function advanceDrift(memory: DriftMemory, check: DriftCheck): DriftAdvance {
  const nowMs = check.now.getTime();
  // A new applied commit settles every fight: the repository has spoken again.
  const revisionChanged = memory.revision !== undefined && memory.revision !== check.revision;
  const base = revisionChanged ? { ...memory, strikes: {}, fighting: {} } : memory;
  const entries: Record<string, DriftEntry> = {};
  const checkedSet = check.checked === 'all' ? undefined : new Set<string>(check.checked);
  for (const [k, e] of Object.entries(base.entries)) if (checkedSet && !checkedSet.has(k)) entries[k] = e;
  for (const e of check.found) entries[e.key] = e;

  // Against a new applied revision every drift is new: a heal queued for the old one was skipped.
  const appeared = check.found.filter((e) => base.entries[e.key] === undefined || revisionChanged || check.renewed?.has(e.key) === true);
  const cleared = Object.values(base.entries).filter((e) => entries[e.key] === undefined);
  const strikes: Record<string, number[]> = {};
  for (const [k, times] of Object.entries(base.strikes)) {
    const kept = times.filter((t) => nowMs - t < check.guard.windowMs);
    if (kept.length > 0) strikes[k] = kept;
  }
  const fighting: Record<string, string> = { ...base.fighting };
  const fightingStarted: DriftEntry[] = [];
  for (const e of appeared) {
    const times = [...(strikes[e.key] ?? []), nowMs];
    strikes[e.key] = times;
    if (fighting[e.key] === undefined && times.length > check.guard.maxHeals) {
      fighting[e.key] = e.manager ?? 'an unknown writer';
      fightingStarted.push(e);
    }
  }
  const drifting = Object.keys(entries).length > 0;
  let episode = base.episode;
  let transition: DriftAdvance['transition'] = 'none';
  if (drifting && !episode) {
    const startedAt = check.now.toISOString();
    episode = { id: `${check.revision.slice(0, 12)}-${nowMs}`, revision: check.revision, startedAt };
    transition = 'started';
  } else if (!drifting && episode) {
    episode = undefined;
    transition = 'ended';
  } else if (drifting && (appeared.length > 0 || cleared.length > 0 || fightingStarted.length > 0)) transition = 'changed';
  const next: DriftMemory = { revision: check.revision, entries, strikes, fighting, ...(episode ? { episode } : {}) };
  return { memory: next, transition, appeared, cleared, fightingStarted };
}

/** `heal` (or `heal --resource`): forget the strikes, so healing resumes. */
export function forgiveFights(memory: DriftMemory, keys?: readonly ResourceKey[]): DriftMemory {
  if (!keys) return { ...memory, strikes: {}, fighting: {} };
  const drop = new Set<string>(keys);
  const keep = <T>(r: Readonly<Record<string, T>>): Record<string, T> => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k)));
  return { ...memory, strikes: keep(memory.strikes), fighting: keep(memory.fighting) };
}

/** What self-heal may repair now: drifting, and not given up on. */
export function healable(memory: DriftMemory): DriftEntry[] {
  return Object.values(memory.entries).filter((e) => memory.fighting[e.key] === undefined);
}
