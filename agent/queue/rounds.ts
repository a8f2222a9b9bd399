// When a finished job's plan is needed again (the cycle only enqueues a plan the cluster does not
// match): a new run of it, at once after an apply or a skip (drift, a flip-flop back to an older
// commit), and after a growing pause when the last run ended in failure (its retries spent).
// Pure: the finished run and the time in, the next run's round and delay out.
import type { JobState } from '../domain/job.js';

export interface RoundPolicy {
  /** Pause before the second round; doubles each round. */
  readonly baseMs: number;
  /** Longest pause between rounds. */
  readonly maxMs: number;
}

export const DEFAULT_ROUNDS: RoundPolicy = { baseMs: 30_000, maxMs: 15 * 60_000 };

/** A run's round, carried in the job's data: which round, and why the previous one ended. */
export interface JobRound {
  readonly number: number;
  /** The previous round's failure. */
  readonly after?: string;
}

/**
 * Whether a finished run's plan runs again when needed: not after a stalled failure (forbidden,
 * invalid, a mismatched image). It comes back the same however often the plan runs; only new rights
 * or a new commit change it, so it stays the plan's answer and its commit keeps showing the failure.
 */
export function runsAgain(previous: JobState): boolean {
  return !(previous.state === 'settled' && previous.result.kind === 'failed' && previous.result.error.disposition === 'stalled');
}

export function nextRound(input: {
  readonly previous: JobState;
  readonly previousRound: number;
  /** Epoch ms the previous run finished. */
  readonly finishedAt: number;
  readonly now: number;
  readonly policy: RoundPolicy;
}): { readonly round: JobRound; readonly delayMs: number } {
  const { previous } = input;
  const failure =
    previous.state === 'failed' ? previous.reason : previous.state === 'settled' && previous.result.kind === 'failed' ? previous.result.error.message : undefined;
  if (failure === undefined) return { round: { number: 1 }, delayMs: 0 };
  const number = input.previousRound + 1;
  const pause = Math.min(input.policy.maxMs, input.policy.baseMs * 2 ** (number - 2));
  return { round: { number, after: failure }, delayMs: Math.max(0, input.finishedAt + pause - input.now) };
}
