// The leader's drift monitor: every live change to a key the applied revision defines is checked
// within a moment (batched), a periodic full check catches missed events, and each check's
// outcome is turned into the drift status, alerts, Events, metrics and heal jobs here and only
// here (the one writer of the `drift` status context).
import type { ResourceKey } from '../domain/resource.js';
import type { Clock, Logger, Timers } from '../domain/runtime.js';
import type { LiveResource, LiveView, Plan, StoredRef } from '../domain/state.js';
import type { KubeEvent } from '../report/alert-sink.js';
import type { StatusPort } from '../controller/ports.js';
import { nextAlert, type AlertMemory } from './alert-schedule.js';
import { driftAlert, driftStatus, eventMessage, type DriftAlert } from './describe.js';
import { detectDrift } from './detect-drift.js';
import { advanceDrift, DEFAULT_FIGHT_GUARD, EMPTY_MEMORY, forgiveFights, healable, type DriftAdvance, type DriftMemory, type FightGuard } from './episode.js';
import { healPlan } from './heal-plan.js';
import type { AppliedState, DriftEntry } from './types.js';

/** What sync and heal jobs are writing or verifying now. */
export interface InFlight {
  readonly keys: ReadonlySet<ResourceKey>;
  /** Revisions of queued or running sync jobs. */
  readonly revisions: ReadonlySet<string>;
}

export interface DriftLivePort extends LiveView {
  onChange(listener: (key: ResourceKey, before: LiveResource | undefined, after: LiveResource | undefined) => void): () => void;
}

/** What `/status` and the CLI read back. */
export interface DriftSnapshot {
  readonly revision?: string;
  readonly episode?: DriftMemory['episode'];
  readonly entries: readonly DriftEntry[];
  readonly fighting: Readonly<Record<string, string>>;
  readonly selfHeal: boolean;
  readonly checkedAt: string;
  /** Last drift status posted, so a new leader does not post it again. */
  readonly posted?: { readonly sha: string; readonly state: string; readonly description: string };
}

export interface DriftMonitorPorts {
  readonly live: DriftLivePort;
  readonly applied: { load(): Promise<AppliedState | undefined> };
  inFlight(): Promise<InFlight>;
  latestRevision(): Promise<string | undefined>;
  readonly statuses: StatusPort;
  /** Sends in the background (retrying); never blocks a check. */
  readonly alerts?: { send(alert: DriftAlert): void };
  readonly events?: { record(event: KubeEvent): Promise<void> };
  readonly metrics?: { drifting(byKind: Readonly<Record<string, number>>): void; episodeStarted(): void };
  heal(input: { plan: Plan; revision: string; drift: readonly DriftEntry[]; detectedAt: number }): Promise<void>;
  saveState(state: DriftSnapshot): Promise<void>;
  /** Restores the last snapshot (a new leader). */
  loadState(): Promise<DriftSnapshot | undefined>;
  /** Takes (and clears) a pending `calico-gitops heal` request. */
  takeHealRequest(): Promise<{ resource?: ResourceKey } | undefined>;
  /** True while sync is paused (`calico-gitops uninstall`): its deletes are not drift, nothing is healed. */
  paused?(): Promise<boolean>;
}

export interface DriftMonitorOptions {
  readonly ports: DriftMonitorPorts;
  /** Cluster name, for alerts. */
  readonly cluster: string;
  readonly instance: string;
  readonly selfHeal: boolean;
  readonly resyncIntervalMs: number;
  readonly alertIntervalMs: number;
  readonly guard?: FightGuard;
  /** How often heal requests, finished jobs and alert repeats are looked at (default 1 s). */
  readonly tickMs?: number;
  /** Events arriving within this window are checked together (default 25 ms). */
  readonly batchMs?: number;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
}

type Check = { keys: Set<ResourceKey>; full: boolean; forceHeal?: ResourceKey[] | 'all' };

export class DriftMonitor {
  readonly #o: DriftMonitorOptions;
  #memory: DriftMemory = EMPTY_MEMORY;
  #alerts: AlertMemory = {};
  #posted: DriftSnapshot['posted'];
  #pending: Check = { keys: new Set(), full: false };
  #lastSeen = new Map<ResourceKey, LiveResource>();
  #lastInFlight: ReadonlySet<ResourceKey> = new Set();
  #chain: Promise<void> = Promise.resolve();
  #batch: unknown;
  #tick: unknown;
  #resync: unknown;
  #unsubscribe: (() => void) | undefined;
  #running = false;
  #needFull = false;

  constructor(options: DriftMonitorOptions) {
    this.#o = options;
  }

  /** Starts watching (the leader calls this when it starts leading). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const saved = await this.#o.ports.loadState().catch(() => undefined);
    if (saved) this.#restore(saved);
    this.#unsubscribe = this.#o.ports.live.onChange((key, before, after) => {
      if (!after && before) this.#lastSeen.set(key, before);
      this.#pending.keys.add(key);
      this.#scheduleBatch();
    });
    this.#request({ full: true });
    this.#scheduleTick();
    this.#scheduleResync();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    for (const t of [this.#batch, this.#tick, this.#resync]) if (t !== undefined) this.#o.timers.clearTimeout(t);
    await this.#chain;
  }

  /** The current drift, for `/status`. */
  current(): { entries: DriftEntry[]; fighting: Readonly<Record<string, string>>; episode?: DriftMemory['episode'] } {
    return { entries: Object.values(this.#memory.entries), fighting: this.#memory.fighting, ...(this.#memory.episode ? { episode: this.#memory.episode } : {}) };
  }

  /** Resolves once every check requested so far has run (tests, bench). */
  async settled(): Promise<void> {
    await this.#chain;
  }

  #restore(s: DriftSnapshot): void {
    const entries = Object.fromEntries(s.entries.map((e) => [e.key, e]));
    this.#memory = { ...EMPTY_MEMORY, ...(s.revision ? { revision: s.revision } : {}), ...(s.episode ? { episode: s.episode } : {}), entries, fighting: s.fighting };
    if (s.episode) this.#alerts = { episode: s.episode.id, lastSentMs: Date.parse(s.checkedAt) };
    this.#posted = s.posted;
  }

  #request(c: { keys?: Iterable<ResourceKey>; full?: boolean; forceHeal?: ResourceKey[] | 'all' }): void {
    for (const k of c.keys ?? []) this.#pending.keys.add(k);
    if (c.full) this.#pending.full = true;
    if (c.forceHeal) this.#pending.forceHeal = c.forceHeal;
    this.#chain = this.#chain.then(() => this.#drain()).catch((err: unknown) => {
      this.#o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'drift check failed; the next event or resync checks again');
      this.#needFull = true;
    });
  }

  #scheduleBatch(): void {
    if (this.#batch !== undefined || !this.#running) return;
    this.#batch = this.#o.timers.setTimeout(() => {
      this.#batch = undefined;
      this.#request({});
    }, this.#o.batchMs ?? 25);
  }

  #scheduleTick(): void {
    if (!this.#running) return;
    this.#tick = this.#o.timers.setTimeout(() => {
      this.#chain = this.#chain.then(() => this.#onTick()).catch((err: unknown) => {
        this.#o.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'drift tick failed');
      }).finally(() => this.#scheduleTick());
    }, this.#o.tickMs ?? 1_000);
  }

  #scheduleResync(): void {
    if (!this.#running) return;
    this.#resync = this.#o.timers.setTimeout(() => {
      // A full check also re-queues a heal for whatever still drifts (a heal job that failed).
      this.#request({ full: true, ...(this.#o.selfHeal ? { forceHeal: 'all' as const } : {}) });
      this.#scheduleResync();
    }, this.#o.resyncIntervalMs);
  }

  async #onTick(): Promise<void> {
    const { ports } = this.#o;
    const request = await ports.takeHealRequest();
    if (request) {
      this.#memory = forgiveFights(this.#memory, request.resource ? [request.resource] : undefined);
      this.#o.logger.info({ resource: request.resource ?? 'all' }, 'heal requested');
      this.#pending.full = true;
      this.#pending.forceHeal = request.resource ? [request.resource] : 'all';
    }
    const applied = await ports.applied.load();
    if (applied && applied.revision !== this.#memory.revision) this.#pending.full = true;
    if (this.#needFull) this.#pending.full = true;
    if (this.#lastInFlight.size > 0) {
      // A job finished writing: look at its keys again (the check itself sees which left).
      const now = await ports.inFlight();
      for (const k of this.#lastInFlight) if (!now.keys.has(k)) this.#pending.keys.add(k);
    }
    if (this.#pending.full || this.#pending.keys.size > 0) await this.#drain();
    else if (this.#memory.episode && applied) this.#maybeAlert({ memory: this.#memory, transition: 'none', appeared: [], cleared: [], fightingStarted: [] });
  }

  async #drain(): Promise<void> {
    while (this.#running && (this.#pending.full || this.#pending.keys.size > 0 || this.#pending.forceHeal)) {
      const check = this.#pending;
      this.#pending = { keys: new Set(), full: false };
      await this.#check(check);
    }
  }

  async #check(c: Check): Promise<void> {
    const { ports } = this.#o;
    const applied = await ports.applied.load();
    if (!applied) return;
    // A partial view would read unseen objects as deleted.
    if (!ports.live.isSynced() || (ports.paused && (await ports.paused()))) {
      this.#needFull = true;
      return;
    }
    this.#needFull = false;
    const flight = await ports.inFlight();
    const renewed = new Set<string>([...this.#lastInFlight].filter((k) => !flight.keys.has(k)));
    this.#lastInFlight = flight.keys;
    const latest = await ports.latestRevision();
    const pendingRevisions = new Set(flight.revisions);
    if (latest !== undefined && latest !== applied.revision) pendingRevisions.add(latest);
    const wanted = c.full ? new Set([...applied.resources.keys(), ...(Object.keys(this.#memory.entries) as ResourceKey[])]) : c.keys;
    const checked = [...wanted].filter((k) => !flight.keys.has(k));
    const now = this.#o.clock.now();
    const found = detectDrift({
      applied,
      live: ports.live,
      instance: this.#o.instance,
      inFlight: flight.keys,
      pendingRevisions,
      keys: checked,
      lastSeen: (k) => this.#lastSeen.get(k),
      now: now.toISOString(),
    });
    for (const k of checked) this.#lastSeen.delete(k);
    const advance = advanceDrift(this.#memory, { revision: applied.revision, checked, found, now, guard: this.#o.guard ?? DEFAULT_FIGHT_GUARD, renewed });
    const ended = this.#memory.episode;
    this.#memory = advance.memory;
    await this.#act(advance, applied, ended, c.forceHeal);
  }

  async #act(advance: DriftAdvance, applied: AppliedState, previousEpisode: DriftMemory['episode'], forceHeal: Check['forceHeal']): Promise<void> {
    const { ports, logger } = this.#o;
    const memory = advance.memory;
    const healing = (e: DriftEntry): boolean => this.#o.selfHeal && memory.fighting[e.key] === undefined;
    for (const e of advance.appeared) {
      logger.warn({ resource: e.key, change: e.change, fieldManager: e.manager, time: e.time, revision: applied.revision }, 'drift detected');
      this.#event(e.stored ?? ports.live.get(e.key)?.stored, 'Warning', 'DriftDetected', eventMessage(e, healing(e)));
    }
    for (const e of advance.fightingStarted) {
      logger.warn({ resource: e.key, fieldManager: memory.fighting[e.key] }, 'drift keeps coming back: self-heal stops for this resource until the next commit or `calico-gitops heal`');
    }
    for (const e of advance.cleared) {
      const stored = ports.live.get(e.key)?.stored;
      if (stored) this.#event(stored, 'Normal', 'DriftHealed', `calico-gitops: matches the applied Git revision ${applied.revision.slice(0, 12)} again`);
      logger.info({ resource: e.key }, 'drift ended');
    }
    if (advance.transition === 'started') ports.metrics?.episodeStarted();
    const byKind: Record<string, number> = {};
    for (const e of Object.values(memory.entries)) byKind[e.kindId] = (byKind[e.kindId] ?? 0) + 1;
    ports.metrics?.drifting(byKind);

    await this.#postStatus(memory, memory.episode?.revision ?? previousEpisode?.revision ?? applied.revision);
    this.#maybeAlert(advance, previousEpisode);
    await this.#heal(advance, applied, forceHeal);
    await ports.saveState({
      revision: applied.revision,
      ...(memory.episode ? { episode: memory.episode } : {}),
      entries: Object.values(memory.entries),
      fighting: memory.fighting,
      selfHeal: this.#o.selfHeal,
      checkedAt: this.#o.clock.now().toISOString(),
      ...(this.#posted ? { posted: this.#posted } : {}),
    });
  }

  async #postStatus(memory: DriftMemory, sha: string): Promise<void> {
    const status = driftStatus(memory);
    const last = this.#posted;
    if (last && last.sha === sha && last.state === status.state && last.description === status.description) return;
    // Success is news only after a failure on the same commit: a clean commit gets no drift post.
    if (status.state === 'success' && !(last && last.sha === sha && last.state === 'failure')) return;
    await this.#o.ports.statuses.post({ sha, kind: 'drift', state: status.state, description: status.description });
    this.#posted = { sha, ...status };
  }

  #maybeAlert(advance: DriftAdvance, previousEpisode?: DriftMemory['episode']): void {
    const send = this.#o.ports.alerts;
    const decision = nextAlert(this.#alerts, { advance, nowMs: this.#o.clock.now().getTime(), intervalMs: this.#o.alertIntervalMs });
    this.#alerts = decision.memory;
    if (!decision.send || !send) return;
    const episode = advance.memory.episode ?? previousEpisode;
    if (!episode) return;
    send.send(driftAlert({ state: decision.send, cluster: this.#o.cluster, memory: advance.memory, episode, resolvedItems: advance.cleared }));
  }

  async #heal(advance: DriftAdvance, applied: AppliedState, force: Check['forceHeal']): Promise<void> {
    const candidates = healable(advance.memory);
    const chosen =
      force === 'all'
        ? candidates
        : force
          ? candidates.filter((e) => force.includes(e.key))
          : this.#o.selfHeal
            ? candidates.filter((e) => advance.appeared.some((a) => a.key === e.key))
            : [];
    if (chosen.length === 0) return;
    const plan = healPlan({ applied, live: this.#o.ports.live, keys: chosen.map((e) => e.key), instance: this.#o.instance });
    if (plan.steps.length === 0) return;
    try {
      await this.#o.ports.heal({ plan, revision: applied.revision, drift: chosen, detectedAt: this.#o.clock.now().getTime() });
      this.#o.logger.info({ resources: chosen.map((e) => e.key), revision: applied.revision }, 'heal queued');
    } catch (err) {
      // The next resync tries again; the drift stays reported meanwhile.
      this.#o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not queue the heal');
    }
  }

  #event(stored: StoredRef | undefined, type: KubeEvent['type'], reason: string, message: string): void {
    const events = this.#o.ports.events;
    if (!events || !stored) return;
    const involved = { apiVersion: stored.apiVersion, kind: stored.kind, name: stored.name, ...(stored.namespace ? { namespace: stored.namespace } : {}), ...(stored.uid ? { uid: stored.uid } : {}) };
    events.record({ involved, type, reason, message }).catch((err: unknown) => {
      this.#o.logger.warn({ err: err instanceof Error ? err.message : String(err), reason }, 'could not record the Kubernetes Event');
    });
  }
}
