import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftAlert, FanOutAlertSink, slackPayload, WebhookAlertSink, type Alert } from '../../agent/report/alert-sink.js';
import { captureLogger } from '../source/capture-logger.js';

const received: { path: string; body: unknown }[] = [];
let base = '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
    res.writeHead(req.url?.includes('fail') ? 500 : 200).end('ok');
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('driftAlert', () => {
  it.each([
    [true, 1, 'Calico drift on prod: 1 resource restored from Git', 'warning'],
    [false, 2, 'Calico drift on prod: 2 resources differ from Git', 'critical'],
  ] as const)('healed=%s with %i items', (healed, n, title, severity) => {
    const items = [
      { resource: 'GlobalNetworkPolicy//allow-ssh', change: 'modified' as const },
      { resource: 'HostEndpoint//node1-eth0', change: 'deleted' as const },
    ].slice(0, n);
    const alert = driftAlert({ cluster: 'prod', revision: 'abcdef0123456789', items, healed });
    expect(alert.title).toBe(title);
    expect(alert.severity).toBe(severity);
    expect(alert.text.split('\n')[0]).toBe('applied revision abcdef012345');
    expect(alert.resources).toHaveLength(n);
  });

  it('lists at most 20 resources in the text', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ resource: `NetworkSet/ns/s${i}`, change: 'modified' as const }));
    const alert = driftAlert({ cluster: 'c', revision: 'r', items, healed: false });
    expect(alert.text.split('\n')).toHaveLength(22);
    expect(alert.text).toContain('… and 5 more');
  });
});

describe('WebhookAlertSink', () => {
  const alert: Alert = driftAlert({ cluster: 'prod', revision: 'abc', items: [{ resource: 'Tier//security', change: 'deleted' }], healed: true });

  it('posts Slack-compatible JSON', async () => {
    await new WebhookAlertSink({ url: `${base}/services/T000/B000/XXXX`, fetch }).send(alert);
    const last = received.at(-1);
    expect(last?.path).toBe('/services/T000/B000/XXXX');
    expect(last?.body).toEqual(slackPayload(alert));
    expect((last?.body as { text: string }).text).toContain('Tier//security (deleted)');
  });

  it('fails without showing the secret path of the URL', async () => {
    const err = await new WebhookAlertSink({ url: `${base}/fail/SECRETPART`, fetch }).send(alert).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/returned 500/);
    expect((err as Error).message).not.toContain('SECRETPART');
  });

  it('fan-out delivers to the working sinks when one fails', async () => {
    const lines: string[] = [];
    const before = received.length;
    const sink = new FanOutAlertSink({
      sinks: [new WebhookAlertSink({ url: `${base}/fail/x`, fetch }), new WebhookAlertSink({ url: `${base}/ok`, fetch })],
      logger: captureLogger(lines),
    });
    await sink.send(alert);
    expect(received.slice(before).map((r) => r.path).sort()).toEqual(['/fail/x', '/ok']);
    expect(lines.join('\n')).toContain('alert not delivered');
  });
});
