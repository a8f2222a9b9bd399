import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createHttpServer, parseListen, type HttpHandlers } from '../../agent/http/server.js';

const servers: import('node:http').Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function start(overrides: Partial<HttpHandlers> = {}) {
  const pushes: number[] = [];
  const handlers: HttpHandlers = {
    readiness: async () => ({ cacheSynced: true, redis: true, leaderKnown: true }),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'calico_gitops_cycles_total 3\n' }),
    status: async () => ({ revision: 'abc' }),
    verifyWebhook: (headers) =>
      headers['x-test-signature'] === 'good' ? { ok: true, relevant: headers['x-branch'] !== 'other' } : { ok: false, reason: 'bad signature' },
    onPush: () => pushes.push(1),
    ...overrides,
  };
  const server = createHttpServer({ handlers, logger: pino({ level: 'silent' }), maxBodyBytes: 64 });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, pushes };
}

describe('agent HTTP server', () => {
  it('answers health, readiness, metrics and status', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { cacheSynced: true, redis: true, leaderKnown: true } });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('calico_gitops_cycles_total 3');
    expect(await (await fetch(`${base}/status`)).json()).toEqual({ revision: 'abc' });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('is not ready while any check fails, and says which', async () => {
    const { base } = await start({ readiness: async () => ({ cacheSynced: false, redis: true }) });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, checks: { cacheSynced: false, redis: true } });
  });

  it.each([
    ['a bad signature', { 'x-test-signature': 'bad' }, 401, 0],
    ['a push to another branch', { 'x-test-signature': 'good', 'x-branch': 'other' }, 200, 0],
    ['a good push', { 'x-test-signature': 'good' }, 202, 1],
  ])('webhook with %s → %i, %i trigger(s)', async (_name, headers, code, triggers) => {
    const { base, pushes } = await start();
    const res = await fetch(`${base}/hooks/git`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(code);
    expect(pushes).toHaveLength(triggers);
  });

  it('refuses oversized webhook bodies and other methods', async () => {
    const { base, pushes } = await start();
    const big = await fetch(`${base}/hooks/git`, { method: 'POST', headers: { 'x-test-signature': 'good' }, body: 'x'.repeat(65) });
    expect(big.status).toBe(413);
    expect((await fetch(`${base}/hooks/git`)).status).toBe(405);
    expect(pushes).toHaveLength(0);
  });
});

describe('parseListen', () => {
  it.each([
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
  ])('%s', (text, expected) => expect(parseListen(text)).toEqual(expected));
});
