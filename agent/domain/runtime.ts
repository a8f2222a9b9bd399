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
