// Ports for time and logging, passed into every stage that needs them (never read globally).

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

type LogFn = {
  (obj: object, msg?: string): void;
  (msg: string): void;
};

/** The subset of pino's Logger we use; a pino logger satisfies it. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** Timer port, so schedulers can be driven by hand in tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending timer alone must not keep the process alive at shutdown.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
