// The impact page: the report read back from Redis, served at /impact/<sha> as escaped HTML with
// a policy that lets no script run, by its full commit id or an unambiguous prefix of 7 or more hex
// digits; an unknown, malformed or ambiguous commit is a 404 saying which. The store keeps the
// newest reports only, each expiring.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../agent/queue/keys.js';
import { escapeHtml } from '../../agent/report/impact-page.js';
import { redisImpactStore, type ImpactStore } from '../../agent/report/impact-store.js';
import { impactFixture, serveImpactPage, XSS } from '../support/impact-fixture.js';
import { connectTestRedis, type TestRedis } from './redis-helper.js';

const SHA = 'a'.repeat(40);
let t: TestRedis;
let store: ImpactStore;
let server: Server;
let base = '';
let now = Date.parse('2026-12-02T15:00:00Z');

beforeAll(async () => {
  t = await connectTestRedis();
  store = redisImpactStore({ redis: t.redis, prefix: t.prefix, clock: { now: () => new Date(now) }, maxReports: 3 });
  await store.save(impactFixture(SHA));
  ({ server, base } = await serveImpactPage(store));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.cleanup();
});

describe('the impact page', () => {
  it('shows every opened and closed connection with the rule that decided it, and the intents', async () => {
    const res = await fetch(`${base}/impact/${SHA}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toContain('<p id="summary">opens 1, closes 1 connections; 1 intent violated</p>');
    expect(html).toContain('<tr class="opened"><td>opened</td><td>test1/web</td><td>test2/db</td><td>TCP 5432</td>');
    expect(html).toContain('<tr class="closed"><td>closed</td><td>test1/web</td><td>kube-system/coredns</td><td>TCP 53</td><td>GlobalNetworkPolicy/no-tcp-dns egress[0]</td></tr>');
    expect(html).toContain('<code>.calico-gitops/intents.yaml:5</code>');
  });

  it('escapes what the repository wrote: markup in a name is text, never an element', async () => {
    const html = await (await fetch(`${base}/impact/${SHA}`)).text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(XSS));
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it.each([
    ['an unknown commit', 'b'.repeat(40)],
    ['a path that is not a commit id', '..%2Fstatus'],
    ['a key pattern', `${'a'.repeat(8)}*`],
  ])('answers 404 for %s', async (_name, sha) => {
    const res = await fetch(`${base}/impact/${sha}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Impact report not found');
  });

  it.each([
    ['the 7 hex digits a user copies', SHA.slice(0, 7)],
    ['a longer prefix, in capitals', SHA.slice(0, 12).toUpperCase()],
    ['the full commit id', SHA],
  ])('serves the report for %s', async (_name, sha) => {
    const res = await fetch(`${base}/impact/${sha}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<code>${SHA}</code>`);
  });

  it.each([
    ['a prefix shorter than 7 hex digits', SHA.slice(0, 6)],
    ['a prefix of no kept report', 'abcdef9'],
  ])('answers 404 for %s', async (_name, sha) => {
    const res = await fetch(`${base}/impact/${sha}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Impact report not found');
  });

  it('answers 404 naming the commits a prefix of several kept reports could mean, and serves each by a longer prefix', async () => {
    const [one, two] = [`abcdef1${'1'.repeat(33)}`, `abcdef1${'2'.repeat(33)}`];
    await store.save(impactFixture(two));
    await store.save(impactFixture(one));
    const res = await fetch(`${base}/impact/abcdef1`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Ambiguous commit id</h1>');
    expect(html).toContain('<code>abcdef1</code> is the start of 2 kept reports');
    expect(html.indexOf(`<code>${one}</code>`)).toBeGreaterThan(0);
    expect(html.indexOf(`<code>${two}</code>`)).toBeGreaterThan(html.indexOf(`<code>${one}</code>`));
    const longer = await fetch(`${base}/impact/abcdef12`);
    expect(longer.status).toBe(200);
    expect(await longer.text()).toContain(`<code>${two}</code>`);
  });

  it('keeps the newest reports only, each expiring', async () => {
    const shas = ['1', '2', '3', '4'].map((c) => c.repeat(40));
    for (const sha of shas) {
      now += 1_000;
      await store.save(impactFixture(sha));
    }
    expect(await store.load(SHA)).toBeUndefined();
    expect(await store.load(shas[0]!)).toBeUndefined();
    expect((await store.load(shas[3]!))?.revision).toBe(shas[3]);
    expect(await t.redis.zcard(redisKeys.impactCommits(t.prefix))).toBe(3);
    const ttl = await t.redis.ttl(redisKeys.impactReport(t.prefix, shas[3]!));
    expect(ttl).toBeGreaterThan(29 * 86_400);
  });
});
