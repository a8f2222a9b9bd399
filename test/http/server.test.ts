import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { flood, trickle } from '../support/http-flood.js';
import { createHttpServer, type HttpHandlers, type HttpLimits } from '../../agent/http/server.js';

const servers: import('node:http').Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => (s.closeAllConnections(), new Promise((r) => s.close(r)))));
});

async function start(overrides: Partial<HttpHandlers> = {}, limits: Partial<HttpLimits> = {}) {
  const pushes: number[] = [];
  const handlers: HttpHandlers = {
    readiness: async () => ({ cacheSynced: true, redis: true, leaderKnown: true }),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'calico_gitops_cycles_total 3\n' }),
    status: async () => ({ revision: 'abc' }),
    webhook: {
      precheck: (headers) => (headers['x-test-signature'] ? { ok: true } : { ok: false, reason: 'no signature header' }),
      verify: (headers) =>
        headers['x-test-signature'] === 'good' ? { ok: true, relevant: headers['x-branch'] !== 'other' } : { ok: false, reason: 'bad signature' },
      onPush: () => pushes.push(1),
    },
    ...overrides,
  };
  const server = createHttpServer({ handlers, logger: pino({ level: 'silent' }), limits: { maxBodyBytes: 64, ...limits } });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, port, pushes };
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
    ['no signature header', {}, 401, 0],
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

  it('refuses a request without a signature header before reading its body', async () => {
    let verified = 0;
    const { port } = await start({
      webhook: { precheck: () => ({ ok: false, reason: 'no signature header' }), verify: () => ((verified += 1), { ok: false, reason: 'x' }), onPush: () => undefined },
    });
    // The body is announced but never sent: only an answer from the headers alone can arrive.
    const result = await trickle({ port, headers: {}, everyMs: 60_000 });
    expect(result).toEqual({ outcome: 'unauthorized', bytesSent: 0 });
    expect(verified).toBe(0);
  });

  it('reads only a bounded number of webhook bodies at once; the rest are told to come back', async () => {
    const { port } = await start({}, { maxBodyBytes: 1024 * 1024, maxConcurrentBodies: 2 });
    // Two clients hold their bodies open (a byte a second)…
    const slow = [trickle({ port, headers: { 'x-test-signature': 'forged' }, everyMs: 1_000 }), trickle({ port, headers: { 'x-test-signature': 'forged' }, everyMs: 1_000 })];
    // …so a third is refused with 503 rather than a third body held in memory.
    await expect.poll(async () => (await flood({ port, connections: 1, bodyBytes: 10, headers: () => ({ 'x-test-signature': 'forged' }) })).busy, { timeout: 10_000 }).toBe(1);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(slow).toHaveLength(2);
  });

  it('drops a body trickled one byte at a time once the request deadline passes', async () => {
    const { port } = await start({}, { maxBodyBytes: 1024 * 1024, headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const result = await trickle({ port, headers: { 'x-test-signature': 'forged' }, everyMs: 50 });
    // Node answers 408 (or just closes); either way the client is cut off long before its megabyte.
    expect(['timeout', 'closed']).toContain(result.outcome);
    expect(result.bytesSent).toBeLessThan(1_000_000);
  });

  it('survives 600 unauthenticated clients posting ~1 MB each and keeps answering /healthz', async () => {
    const { port, pushes } = await start({}, { maxBodyBytes: 1024 * 1024 });
    const health: number[] = [];
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        health.push((await fetch(`http://127.0.0.1:${port}/healthz`)).status);
      }
    })();
    // Half send no signature at all, half a forged one (their bodies are read, a few at a time).
    const outcomes = await flood({ port, connections: 600, bodyBytes: 1024 * 1024, headers: (i): Record<string, string> => (i % 2 === 0 ? {} : { 'x-test-signature': 'forged' }) });
    flooding = false;
    await probe;
    expect(outcomes.accepted).toBe(0);
    expect(outcomes.unauthorized + outcomes.busy + outcomes.closed).toBe(600);
    expect(outcomes.unauthorized).toBeGreaterThanOrEqual(300);
    expect(pushes).toHaveLength(0);
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((c) => c === 200)).toBe(true);
  }, 120_000);
});
