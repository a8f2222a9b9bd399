// The impact page in a real browser (headless Chromium): it renders its table and intents without
// JavaScript, and the markup a repository put in a name stays text: no script runs, no element
// appears. Skipped, saying so, only where no chromium binary exists (.ci/run installs it).
import { stat, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisImpactStore } from '../../agent/report/impact-store.js';
import { dumpDom, findChromium, screenshot } from '../support/chromium.js';
import { impactFixture, serveImpactPage } from '../support/impact-fixture.js';
import { connectTestRedis, type TestRedis } from './redis-helper.js';

const SHA = 'c'.repeat(40);
const chromium = await findChromium();
let t: TestRedis;
let server: Server;
let base = '';
let dir = '';

beforeAll(async () => {
  t = await connectTestRedis();
  const store = redisImpactStore({ redis: t.redis, prefix: t.prefix, clock: { now: () => new Date() } });
  await store.save(impactFixture(SHA));
  ({ server, base } = await serveImpactPage(store));
  dir = await mkdtemp(join(tmpdir(), 'cg-impact-browser-'));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!chromium)('the impact page in headless Chromium (skipped: no chromium binary on PATH; apt-get install chromium)', () => {
  it('renders the table and the intents, and runs nothing a name carried', async () => {
    const dom = await dumpDom(chromium ?? '', `${base}/impact/${SHA}`);
    expect(dom).toMatch(/<title>Impact of c{12} on prod<\/title>/);
    expect(dom).toContain('<p id="summary">opens 1, closes 1 connections; 1 intent violated</p>');
    expect(dom).toContain('<td>test1/web</td><td>test2/db</td><td>TCP 5432</td>');
    expect(dom).toContain('<td>GlobalNetworkPolicy/no-tcp-dns egress[0]</td>');
    // The payload would have set the title and added elements: it is text instead.
    expect(dom).not.toContain('pwned</title>');
    expect(dom).not.toMatch(/<script|<img/);
    expect(dom).toContain('&lt;script&gt;document.title=\'pwned\'&lt;/script&gt;');
    const png = join(dir, 'impact.png');
    await screenshot(chromium ?? '', `${base}/impact/${SHA}`, png);
    expect((await stat(png)).size).toBeGreaterThan(1_000);
  }, 120_000);

  it('shows the not-found page for an unknown commit', async () => {
    const dom = await dumpDom(chromium ?? '', `${base}/impact/${'d'.repeat(40)}`);
    expect(dom).toContain('<h1>Impact report not found</h1>');
  }, 120_000);
});
