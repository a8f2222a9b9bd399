// Polls the Git source on an interval with jitter, and on demand (webhook). One check runs at a
// time; triggers that arrive meanwhile coalesce into one queued check. The callback sees a
// snapshot only when the revision changed; errors go to their own callback and the last good
// result stays. Time and randomness are injected (tests drive the timers by hand).
import type { Logger } from '../domain/runtime.js';
import type { SourceResult } from './git-source.js';

/** What the poller needs from the source; GitSource satisfies it (head check before fetch). */
export interface PollSource {
  latest(): Promise<SourceResult>;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending poll alone must not keep the process alive at shutdown.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface PollerOptions {
  readonly source: PollSource;
  /** Called with each new revision (not called again for the same one). */
  readonly onSnapshot: (result: SourceResult) => void | Promise<void>;
  /** Called with every failed check; the poller keeps going. */
  readonly onError: (err: unknown) => void;
  readonly logger: Logger;
  /** Period between checks (default 30 s). */
  readonly intervalMs?: number;
  /** Spread of the period, as a fraction: 0.1 → ±10 % (default 0.1). */
  readonly jitter?: number;
  /** Uniform [0, 1) source for the jitter (default Math.random). */
  readonly random?: () => number;
  readonly timers?: Timers;
}

export class Poller {
  readonly #o: PollerOptions;
  readonly #timers: Timers;
  #timer: unknown;
  #running = false;
  #inFlight: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #delivered: string | undefined;
  #lastGood: SourceResult | undefined;
  #checks = 0;

  constructor(options: PollerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
  }

  /** The last result handed to onSnapshot; it stays when later checks fail. */
  get lastGood(): SourceResult | undefined {
    return this.#lastGood;
  }

  /** Checks run so far (tests, metrics). */
  get checks(): number {
    return this.#checks;
  }

  /** Starts polling with an immediate first check. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.trigger();
  }

  /** Stops the timer and waits for a running check. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await (this.#queued ?? this.#inFlight);
  }

  /**
   * Checks now (webhook). Resolves when a check that started after this call has finished; while
   * one runs, all triggers share one queued check.
   */
  trigger(): Promise<void> {
    if (!this.#inFlight) return this.#begin();
    this.#queued ??= this.#inFlight.then(() => {
      this.#queued = undefined;
      return this.#begin();
    });
    return this.#queued;
  }

  /** The delay before the next check: the interval spread by the jitter. */
  nextDelay(): number {
    const interval = this.#o.intervalMs ?? 30_000;
    const jitter = this.#o.jitter ?? 0.1;
    const r = (this.#o.random ?? Math.random)();
    return Math.max(0, Math.round(interval * (1 + jitter * (2 * r - 1))));
  }

  #begin(): Promise<void> {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    const run = this.#check().finally(() => {
      this.#inFlight = undefined;
      if (this.#running && !this.#queued) this.#timer = this.#timers.setTimeout(() => void this.trigger(), this.nextDelay());
    });
    this.#inFlight = run;
    return run;
  }

  async #check(): Promise<void> {
    this.#checks++;
    let result: SourceResult;
    try {
      result = await this.#o.source.latest();
    } catch (err) {
      this.#report(err);
      return;
    }
    if (result.snapshot.revision === this.#delivered) return;
    try {
      await this.#o.onSnapshot(result);
      this.#delivered = result.snapshot.revision;
      this.#lastGood = result;
    } catch (err) {
      // Not marked delivered: the next check hands the same revision over again.
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    try {
      this.#o.onError(err);
    } catch (callbackErr) {
      this.#o.logger.error({ err: String(callbackErr) }, 'poller error callback threw');
    }
  }
}
