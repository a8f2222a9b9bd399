// Runs reconcile cycles on the poll interval and on webhook triggers, one at a time, and turns
// each outcome into statuses through `summarize`. It never throws out of its loop: a failing
// cycle is logged, reported, and retried; the last good state stays applied.
import type { Logger, Timers } from '../domain/runtime.js';
import { runCycle, type CycleDeps, type CycleOutcome } from './cycle.js';
import type { StatusPort } from './ports.js';
import { summarize, type Summary } from './summarize.js';

export interface ControllerOptions {
  readonly cycle: CycleDeps;
  readonly statuses: StatusPort;
  readonly logger: Logger;
  /** Normal period between cycles. */
  readonly pollIntervalMs: number;
  /** Period after a transient or waiting failure. */
  readonly retryDelayMs: number;
  /** ±fraction of jitter on every delay, so replicas and clusters do not poll in step. */
  readonly jitter: number;
  readonly random: () => number;
  readonly timers: Timers;
  /** Called after every cycle (metrics, /status). */
  readonly onCycle?: (outcome: CycleOutcome, summary: Summary) => void;
}

export class Controller {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private again = false;
  /** A coalesced trigger asked for a fetch (a webhook or a poll, not only a settled job). */
  private againFetch = false;
  private stopped = true;
  /** The held plan last logged: a hold repeats every poll until released, the log says it once. */
  private lastHeld: string | undefined;
  constructor(private readonly opts: ControllerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.trigger();
  }

  /**
   * Runs a cycle now (webhook); coalesces with one in flight. `fetch: false` (a job settled: only
   * the queue changed) plans the revision already read again instead of asking the remote; a
   * coalesced trigger that wants a fetch gets one.
   */
  trigger(o: { fetch?: boolean } = {}): void {
    if (this.stopped) return;
    const fetch = o.fetch ?? true;
    if (this.running) {
      this.again = true;
      this.againFetch ||= fetch;
      return;
    }
    this.clearTimer();
    this.running = this.runOnce(fetch).finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        const next = this.againFetch;
        this.again = false;
        this.againFetch = false;
        this.trigger({ fetch: next });
      }
    });
  }

  /** Stops scheduling and waits for the cycle in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.running;
  }

  /** Resolves when no cycle is running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async runOnce(fetch: boolean): Promise<void> {
    const outcome = await runCycle(this.opts.cycle, { fetch });
    const summary = summarize(outcome);
    const log = this.opts.logger.child(summary.revision ? { revision: summary.revision } : {});
    // A held plan or a pause is said once, not at every poll.
    const heldKey = outcome.kind === 'held' ? `${outcome.snapshot.revision} ${summary.message}` : outcome.kind === 'paused' ? summary.message : undefined;
    log[heldKey !== undefined && heldKey === this.lastHeld ? 'debug' : summary.level]({ outcome: outcome.kind }, summary.message);
    this.lastHeld = heldKey;
    const sha = summary.revision;
    if (sha) {
      // Side by side: each context stands alone on the commit, and apply need not wait for validate.
      await Promise.all(
        summary.statuses.map(async (status) => {
          try {
            await this.opts.statuses.post({ sha, ...status });
          } catch (err) {
            log.warn({ err: errorText(err), context: status.kind }, 'could not post commit status');
          }
        }),
      );
    }
    this.opts.onCycle?.(outcome, summary);
    this.schedule(summary.retry ? (summary.retry.afterMs ?? this.opts.retryDelayMs) : this.opts.pollIntervalMs);
  }

  private schedule(baseMs: number): void {
    if (this.stopped) return;
    const factor = 1 + this.opts.jitter * (this.opts.random() * 2 - 1);
    this.timer = this.opts.timers.setTimeout(() => this.trigger(), Math.max(10, Math.round(baseMs * factor)));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
