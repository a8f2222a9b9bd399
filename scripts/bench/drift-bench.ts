// Drift detection latency on the simulator: a hand edit of an owned policy (a merge patch with its
// own field manager, as kubectl sends it) → the failing `drift` status at the forge, and → the
// drift alert at the webhook. Self-heal is off, so each edit is undone by hand and every edit is
// its own episode (one status, one alert). p50/p95 over EDITS edits; target ≤ 1 s.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startAgentProcess } from '../../agent/app/agent-process.js';
import { parseConfig } from '../../agent/config/config.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { startCluster } from '../../test/kube-sim/index.js';
import { createKubeHttp } from '../../test/kube-sim/runtime/kube-http.js';
import { startAlertReceiver } from '../../test/support/alert-receiver.js';
import { startFakeForge } from '../../test/support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, samplePolicyYaml } from '../../test/support/git-fixtures.js';
import { installAgentRbac } from '../../test/support/install-agent.js';

const EDITS = 25;
const TOKEN = 'bench-token';
const REPO = 'acme/policies';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const sim = await startCluster({ tls: true });
  const installed = await installAgentRbac(sim);
  const forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [REPO] });
  const alerts = await startAlertReceiver();
  const bodies = alerts.bodies;
  const repo = await createRepoWithFiles({ 'policies/p.yaml': samplePolicyYaml('bench-p', { order: 10 }) });
  const dir = await mkdtemp(join(tmpdir(), 'cg-drift-bench-'));
  await writeFile(join(dir, 'token'), TOKEN);
  await writeFile(join(dir, 'alert-url'), alerts.url);
  const cluster = `bench-${randomBytes(3).toString('hex')}`;
  const parsed = parseConfig({
    flags: {
      repo: repo.remote.url, path: 'policies', cluster, kubeconfig: installed.agentKubeconfig, pollInterval: '1h', listen: '127.0.0.1:0', workers: '1', logLevel: 'error',
      forge: 'github', forgeUrl: forge.apiUrl('github'), forgeTokenFile: join(dir, 'token'), forgeRepo: REPO,
      alertWebhookFile: join(dir, 'alert-url'), alertFormat: 'json', selfHeal: 'false',
    },
    env: {},
  });
  if (!parsed.ok) throw new Error(parsed.issues.map((p) => p.message).join('; '));
  const agent = await startAgentProcess({
    config: parsed.config, logger: pino({ level: 'error' }), clock: systemClock, controller: true, workers: 1, cacheDir: dir, baseEnv: process.env, gitEnv: GIT_TEST_ENV,
    fetch: (url, init) => fetch(url, init), random: Math.random, http: true, lease: { durationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
  });
  const redis = new Redis(parsed.config.redis);
  const drift = () => forge.statuses('github', REPO, repo.sha).filter((s) => s.context.endsWith('/drift'));
  const ca = sim.caCertPath ? readFileSync(sim.caCertPath, 'utf8') : undefined;
  const editor = createKubeHttp({ url: sim.url, token: sim.adminToken, ...(ca ? { ca } : {}), timeoutMs: 10_000, userAgent: 'bench-editor/1.0' });
  const toStatus: number[] = [];
  const toAlert: number[] = [];
  try {
    await until('apply success', () => (forge.statuses('github', REPO, repo.sha).some((s) => s.context.endsWith('/apply') && s.state === 'success') ? true : undefined), 120_000);
    for (let t = performance.now(); (await redis.get(`${queuePrefix(cluster)}:applied-revision`)) !== repo.sha; ) {
      if (performance.now() - t > 30_000) throw new Error('no applied revision');
      await new Promise((r) => setTimeout(r, 20));
    }
    const list = (await editor.request({ method: 'GET', path: '/apis/crd.projectcalico.org/v1/globalnetworkpolicies' })).body as { items: { metadata: { name: string } }[] };
    const name = list.items.map((i) => i.metadata.name).find((n) => n.endsWith('bench-p'));
    if (!name) throw new Error('policy not applied');
    const path = `/apis/crd.projectcalico.org/v1/globalnetworkpolicies/${name}`;
    for (let i = 0; i < EDITS; i++) {
      const statusesBefore = drift().length;
      const alertsBefore = bodies.length;
      const start = performance.now();
      await editor.request({ method: 'PATCH', path, body: { spec: { order: 1000 + i } } });
      const failing = await until('failing drift status', () => drift().slice(statusesBefore).find((s) => s.state === 'failure'));
      toStatus.push(performance.now() - start);
      await until('drift alert', () => (bodies.length > alertsBefore ? true : undefined));
      toAlert.push(performance.now() - start);
      if (!failing.description.includes('bench-editor')) throw new Error(`status does not name the field manager: ${failing.description}`);
      // Undo by hand; the episode ends with a success status and a resolved alert.
      const endBefore = drift().length;
      await editor.request({ method: 'PATCH', path, body: { spec: { order: 10 } } });
      await until('success drift status', () => drift().slice(endBefore).find((s) => s.state === 'success'));
      await until('resolved alert', () => (bodies.some((b, idx) => idx >= alertsBefore && (b as { state?: string }).state === 'resolved') ? true : undefined));
    }
  } finally {
    await agent.stop();
    const keys = await redis.keys(`${queuePrefix(cluster)}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await alerts.close();
    await forge.close();
    await sim.close();
    await cleanupGitFixtures();
  }
  const round = (x: number) => Math.round(x);
  return {
    edits: toStatus.length,
    eventToStatusMs: { p50: round(pct(toStatus, 50)), p95: round(pct(toStatus, 95)), max: round(Math.max(...toStatus)) },
    eventToAlertMs: { p50: round(pct(toAlert, 50)), p95: round(pct(toAlert, 95)), max: round(Math.max(...toAlert)) },
    targetMs: 1000,
  };
}
