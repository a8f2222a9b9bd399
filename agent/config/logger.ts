// Builds the process logger. Secrets never reach a log: known secret-bearing fields are redacted
// at the source, whatever the call site passes.
import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../domain/runtime.js';
import type { LogLevel } from './options.js';

export const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["private-token"]',
  'headers["x-gitlab-token"]',
  'config.redis',
];

export function createLogger(opts: { level: LogLevel; name?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      name: opts.name ?? 'calico-gitops',
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination(2),
  );
}
