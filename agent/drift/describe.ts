// Pure: how drift reads in a commit status, an alert and a Kubernetes Event.
import type { ResourceKey } from '../domain/resource.js';
import type { DriftMemory } from './episode.js';
import type { DriftEntry } from './types.js';

/** `GlobalNetworkPolicy/allow-dns`, `NetworkPolicy/test1/allow-dns`. */
export function driftLabel(key: ResourceKey): string {
  return key.replace('//', '/');
}

/** `GlobalNetworkPolicy/allow-dns modified by kubectl-edit`. */
export function describeEntry(e: DriftEntry): string {
  const by = e.manager && e.change !== 'deleted' ? ` by ${e.manager}` : '';
  return `${driftLabel(e.key)} ${e.change}${by}`;
}

function sorted(memory: DriftMemory): DriftEntry[] {
  return Object.values(memory.entries).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The `drift` commit status for the memory: the same memory always reads the same. */
export function driftStatus(memory: DriftMemory): { state: 'success' | 'failure'; description: string } {
  const entries = sorted(memory);
  if (entries.length === 0) return { state: 'success', description: 'no drift' };
  const fights = entries.filter((e) => memory.fighting[e.key] !== undefined);
  const more = (n: number) => (n > 0 ? `, +${n} more` : '');
  const first = fights[0];
  if (first) {
    return { state: 'failure', description: `drift: fighting with ${memory.fighting[first.key] ?? 'an unknown writer'} over ${driftLabel(first.key)}${more(entries.length - 1)}` };
  }
  const head = entries[0] as DriftEntry;
  return { state: 'failure', description: `drift: ${describeEntry(head)}${more(entries.length - 1)}` };
}

export type DriftAlertState = 'firing' | 'repeat' | 'fighting' | 'resolved';

export interface DriftAlertItem {
  readonly resource: string;
  readonly change: DriftEntry['change'];
  readonly manager?: string;
  readonly time?: string;
  readonly fighting: boolean;
}

export interface DriftAlert {
  readonly state: DriftAlertState;
  readonly cluster: string;
  readonly revision: string;
  readonly episode: string;
  readonly title: string;
  readonly text: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly items: readonly DriftAlertItem[];
}

export function driftAlert(input: { state: DriftAlertState; cluster: string; memory: DriftMemory; episode: { id: string; revision: string }; resolvedItems?: readonly DriftEntry[] }): DriftAlert {
  const entries = input.state === 'resolved' ? [...(input.resolvedItems ?? [])] : sorted(input.memory);
  const items = entries.map((e) => ({
    resource: driftLabel(e.key),
    change: e.change,
    ...(e.manager ? { manager: e.manager } : {}),
    ...(e.time ? { time: e.time } : {}),
    fighting: input.memory.fighting[e.key] !== undefined,
  }));
  const n = items.length;
  const what = `${n} resource${n === 1 ? '' : 's'}`;
  const title =
    input.state === 'resolved'
      ? `Calico drift on ${input.cluster} resolved`
      : input.state === 'fighting'
        ? `Calico drift on ${input.cluster}: self-heal stopped, another writer keeps changing ${what}`
        : `Calico drift on ${input.cluster}: ${what} differ from Git`;
  const lines = entries.slice(0, 50).map((e) => `• ${describeEntry(e)}${input.memory.fighting[e.key] ? ` (fighting with ${input.memory.fighting[e.key]}, not healed)` : ''}`);
  if (n > lines.length) lines.push(`… and ${n - lines.length} more`);
  return {
    state: input.state,
    cluster: input.cluster,
    revision: input.episode.revision,
    episode: input.episode.id,
    title,
    text: [`applied revision ${input.episode.revision.slice(0, 12)}`, ...lines].join('\n'),
    severity: input.state === 'resolved' ? 'info' : 'critical',
    items,
  };
}

/** Event text on the drifted object. */
export function eventMessage(e: DriftEntry, healing: boolean): string {
  const by = e.manager ? ` by ${e.manager}${e.time ? ` at ${e.time}` : ''}` : '';
  return `calico-gitops: ${e.change}${by}; differs from the applied Git revision${healing ? ', restoring it' : ''}`;
}
