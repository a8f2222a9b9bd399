// Capped exponential backoff with jitter; randomness is injected so tests are deterministic.

export interface BackoffOptions {
  /** First delay (default 500 ms). */
  readonly initialMs: number;
  /** Largest delay (default 30 s). */
  readonly maxMs: number;
  /** Share of the delay removed at random, 0–1 (default 0.5), so restarts do not synchronize. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, jitter: 0.5 };

/** Delay before restart number `attempt` (0-based); `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 - options.jitter * random()));
}
