import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftAlert, type DriftAlert } from '../../agent/drift/describe.js';
import { EMPTY_MEMORY } from '../../agent/drift/episode.js';
import type { ResourceKey } from '../../agent/domain/resource.js';
import { systemTimers } from '../../agent/domain/runtime.js';
import { alertPayload, BackgroundAlerts, slackPayload, WebhookAlertSink } from '../../agent/report/alert-sink.js';
import { captureLogger } from '../source/capture-logger.js';

const received: { path: string; body: unknown }[] = [];
let failuresLeft = 0;
let base = '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
    const fail = req.url?.includes('fail') || (req.url?.includes('flaky') && failuresLeft-- > 0);
    res.writeHead(fail ? 500 : 200).end('ok');
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const key = 'Tier//security' as ResourceKey;
const alert: DriftAlert = driftAlert({
  state: 'firing',
  cluster: 'prod',
  memory: { ...EMPTY_MEMORY, entries: { [key]: { key, kindId: 'Tier', change: 'deleted', appliedHash: 'h' } } },
  episode: { id: 'e1', revision: 'abcdef0123456789' },
});
const url = (path: string) => async () => `${base}${path}`;

describe('WebhookAlertSink', () => {
  it.each(['json', 'slack'] as const)('posts the %s format', async (format) => {
    await new WebhookAlertSink({ url: url('/services/T000/B000/XXXX'), format, fetch }).send(alert);
    const last = received.at(-1);
    expect(last?.path).toBe('/services/T000/B000/XXXX');
    expect(last?.body).toEqual(JSON.parse(JSON.stringify(alertPayload(alert, format))));
  });

  it('json carries every resource; slack the same text', () => {
    expect(alertPayload(alert, 'json')).toMatchObject({ kind: 'calico-gitops.drift', state: 'firing', cluster: 'prod', items: [{ resource: 'Tier/security', change: 'deleted' }] });
    expect(slackPayload(alert).text).toContain('• Tier/security deleted');
  });

  it('fails without showing the secret path of the URL', async () => {
    const err = await new WebhookAlertSink({ url: url('/fail/SECRETPART'), format: 'slack', fetch }).send(alert).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/returned 500/);
    expect((err as Error).message).not.toContain('SECRETPART');
  });
});

describe('BackgroundAlerts', () => {
  it('retries a failing endpoint until it answers, without the caller waiting, and logs no secret', async () => {
    const lines: string[] = [];
    failuresLeft = 2;
    const before = received.length;
    const delivered: string[] = [];
    const alerts = new BackgroundAlerts({ sink: new WebhookAlertSink({ url: url('/flaky/SECRET'), format: 'json', fetch }), logger: captureLogger(lines), timers: systemTimers, firstDelayMs: 10, onDelivered: (a) => delivered.push(a.state) });
    alerts.send(alert);
    expect(delivered).toEqual([]);
    await alerts.idle();
    expect(received.length - before).toBe(3);
    expect(delivered).toEqual(['firing']);
    expect(lines.join('\n')).toContain('drift alert not delivered; retrying');
    expect(lines.join('\n')).not.toContain('SECRET');
  });

  it('gives up after its attempts and says so', async () => {
    const lines: string[] = [];
    const alerts = new BackgroundAlerts({ sink: new WebhookAlertSink({ url: url('/fail/x'), format: 'json', fetch }), logger: captureLogger(lines), timers: systemTimers, attempts: 2, firstDelayMs: 5 });
    alerts.send(alert);
    await alerts.idle();
    expect(lines.join('\n')).toContain('giving up');
  });
});
