// One log line per distinct Redis problem, not one per reconnect attempt: while Redis is down
// ioredis retries every couple of seconds on each connection (queue, worker, revision store), and an
// outage of minutes would otherwise bury the one line that says what is wrong.
import { DependencyError } from '../domain/errors.js';
import type { Clock, Logger } from '../domain/runtime.js';

const REPEAT_ERROR_LOG_MS = 30_000;

/** Errors that mean "no connection" (ioredis reconnects on its own), as opposed to an answer from Redis. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const CONNECTION_MESSAGES = /Connection is closed|Command timed out|Stream isn't writeable|max retries per request|enableOfflineQueue/i;

export function isRedisConnectionError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || err.name === 'MaxRetriesPerRequestError' || CONNECTION_MESSAGES.test(err.message);
}

/**
 * An `error` listener for BullMQ queues and workers and ioredis clients. `where` is the location
 * without credentials (`redisLocation`); `what` names the component in the message.
 */
export function redisErrorLogger(options: { readonly log: Logger; readonly where: string; readonly what: string; readonly clock: Clock }): (err: Error) => void {
  let last = { text: '', at: Number.NEGATIVE_INFINITY };
  return (err) => {
    const code = (err as { code?: unknown }).code;
    const connection = isRedisConnectionError(err);
    const detail = connection && typeof code === 'string' ? code : err.message;
    const now = options.clock.now().getTime();
    if (detail === last.text && now - last.at < REPEAT_ERROR_LOG_MS) return;
    last = { text: detail, at: now };
    const message = connection
      ? `${options.what}: Redis at ${options.where} is unavailable (${detail}); reconnecting, no job is lost`
      : `${options.what}: Redis at ${options.where} answered with an error: ${detail}`;
    const wrapped = new DependencyError(message, { code: 'redis' });
    options.log.error({ err: wrapped.toJSON() }, message);
  };
}
