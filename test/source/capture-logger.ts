// A Logger that keeps every entry as text, so tests can assert that no secret was logged.
import type { Logger } from '../../agent/domain/runtime.js';

export interface CaptureLogger extends Logger {
  readonly lines: string[];
}

export function captureLogger(lines: string[] = []): CaptureLogger {
  const log = (level: string) => (objOrMsg: object | string, msg?: string): void => {
    lines.push(`${level} ${typeof objOrMsg === 'string' ? objOrMsg : `${JSON.stringify(objOrMsg)} ${msg ?? ''}`}`);
  };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => captureLogger(lines),
  };
}
