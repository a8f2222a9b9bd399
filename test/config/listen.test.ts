import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { parseListen } from '../../agent/config/listen.js';

describe('parseListen', () => {
  it.each([
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:8081', { host: 'localhost', port: 8081 }],
  ])('%s', (text, expected) => expect(parseListen(text)).toEqual(expected));

  it.each(['8080', ':http', 'localhost', ':99999', '127.0.0.1:80x', '[nope]:80', 'a b:80', ''])('refuses %j', (text) => {
    expect(parseListen(text)).toBeUndefined();
  });

  it('is a configuration error, never a silent :8080', () => {
    const result = parseConfig({ flags: { listen: 'localhost' }, env: {} });
    expect(result).toEqual({
      ok: false,
      issues: [{ severity: 'error', file: '', line: 0, column: 0, path: '', code: 'config-invalid', message: '--listen must be [HOST]:PORT, such as :8080 or 127.0.0.1:9000 (got "localhost")' }],
    });
  });
});
