// The production logger keeps URL credentials out of every line, whatever a call site passes.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig, redactedConfig } from '../../agent/config/config.js';
import { createLogger } from '../../agent/config/logger.js';

function memoryLogger(): { lines: () => string; logger: ReturnType<typeof createLogger> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { lines: () => chunks.join(''), logger: createLogger({ level: 'info', destination }) };
}

describe('URL credentials in logs', () => {
  it.each([
    ['a field', (l: ReturnType<typeof createLogger>) => l.info({ url: 'https://user:s3cr3t-token@git.example.com/p.git' }, 'fetching')],
    ['a nested field', (l: ReturnType<typeof createLogger>) => l.info({ config: { repo: 'https://user:s3cr3t-token@git.example.com/p.git' } }, 'starting')],
    ['the message', (l: ReturnType<typeof createLogger>) => l.warn('could not reach https://user:s3cr3t-token@git.example.com/p.git')],
    ['an error', (l: ReturnType<typeof createLogger>) => l.error({ err: new Error('fatal: https://user:s3cr3t-token@git.example.com/p.git') }, 'failed')],
    ['a child binding', (l: ReturnType<typeof createLogger>) => l.child({ repo: 'ssh://git:s3cr3t-token@git.example.com/p.git' }).info('hello')],
  ])('redacts the user-info in %s', (_what, log) => {
    const { lines, logger } = memoryLogger();
    log(logger);
    expect(lines()).not.toContain('s3cr3t-token');
    expect(lines()).toContain('://***@git.example.com/p.git');
  });

  it('the "starting" config shows --repo without its token', () => {
    const parsed = parseConfig({ flags: { repo: 'https://user:s3cr3t-token@git.example.com/p.git' }, env: {} });
    if (!parsed.ok) throw new Error('config should parse');
    expect(redactedConfig(parsed.config)['repo']).toBe('https://***@git.example.com/p.git');
  });
});
