// Leader election on a coordination.k8s.io/v1 Lease (client-go's algorithm; client-node has none):
// read; create, or take over when expired; replace with resourceVersion, where a 409 means another
// candidate won; a leader that cannot renew within the deadline stops leading.
import type { Clock, Logger } from '../domain/runtime.js';
import { toKubeError } from './errors.js';
import { leaseIsHeld, type LeaseRecord, type LeaseStore } from './lease-store.js';

export interface LeaderElectionOptions {
  readonly store: LeaseStore;
  /** This candidate's identity (pod name); unique among candidates. */
  readonly identity: string;
  /** How long a lease stays valid without renewal (client-go default 15 s). */
  readonly leaseDurationMs: number;
  /** A leader that has not renewed for this long stops leading (< leaseDurationMs; default 10 s). */
  readonly renewDeadlineMs: number;
  /** Pause between attempts (default 2 s). */
  readonly retryPeriodMs: number;
  readonly clock: Clock;
  /** Resolves after `ms` or when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
}

export type AttemptResult = 'acquired' | 'renewed' | 'held-by-other' | 'lost-race';

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly o: LeaderElectionOptions) {
    if (o.renewDeadlineMs >= o.leaseDurationMs) throw new RangeError('renewDeadlineMs must be shorter than leaseDurationMs');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Runs until stop(): campaigns, leads, and campaigns again after losing the lease. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the loop; a leader gives the lease up so another candidate need not wait for expiry. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      this.setLeading(false);
      await this.release();
    }
  }

  /** One acquire-or-renew attempt; exposed for tests and for a manual first try. */
  async tryAcquireOrRenew(): Promise<AttemptResult> {
    const now = this.o.clock.now();
    const current = await this.o.store.read();
    const mine = (acquire: Date, transitions: number, resourceVersion?: string): LeaseRecord => ({
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: acquire,
      renewTime: now,
      leaseTransitions: transitions,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    });
    try {
      if (!current) {
        await this.o.store.create(mine(now, 0));
        return 'acquired';
      }
      const heldByMe = current.holderIdentity === this.o.identity;
      if (!heldByMe && leaseIsHeld(current, now)) return 'held-by-other';
      const next = heldByMe
        ? mine(current.acquireTime, current.leaseTransitions, current.resourceVersion)
        : mine(now, current.leaseTransitions + 1, current.resourceVersion);
      await this.o.store.replace(next);
      return heldByMe ? 'renewed' : 'acquired';
    } catch (err) {
      const e = toKubeError(err);
      // 409: someone created or replaced the lease between our read and our write.
      if (e.status === 409) return 'lost-race';
      throw e;
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let ok = false;
      try {
        const result = await this.tryAcquireOrRenew();
        ok = result === 'acquired' || result === 'renewed';
      } catch (err) {
        this.o.logger.warn({ err: toKubeError(err).toJSON() }, 'leader election: lease request failed');
      }
      const now = this.o.clock.now().getTime();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) this.setLeading(true);
      } else if (this.leading && now - this.lastRenew >= this.o.renewDeadlineMs) {
        this.o.logger.warn({ identity: this.o.identity }, 'leader election: could not renew the lease before the deadline; stopping');
        this.setLeading(false);
      } else if (this.leading) {
        // Still within the deadline: keep leading, try again soon.
      }
      await this.o.sleep(this.o.retryPeriodMs, signal);
    }
  }

  private setLeading(value: boolean): void {
    this.leading = value;
    this.o.logger.info({ identity: this.o.identity, leading: value }, value ? 'leader election: leading' : 'leader election: stopped leading');
    if (value) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async release(): Promise<void> {
    try {
      const current = await this.o.store.read();
      if (!current || current.holderIdentity !== this.o.identity) return;
      await this.o.store.replace({ ...current, holderIdentity: '', renewTime: this.o.clock.now() });
    } catch (err) {
      this.o.logger.warn({ err: toKubeError(err).toJSON() }, 'leader election: could not release the lease');
    }
  }
}

/** A sleep that resolves early when the signal aborts (the default for `sleep`). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
