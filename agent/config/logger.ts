// Builds the process logger. Secrets never reach a log: known secret-bearing fields are redacted
// at the source, and URL user-info is stripped from every string logged, whatever the call site passes.
import { pino, type DestinationStream } from 'pino';
import { redactText } from '../domain/redact.js';
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
      // The serialized line, so fields, messages, errors and child bindings are all covered.
      hooks: { streamWrite: (line) => redactText(line) },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination(2),
  );
}
