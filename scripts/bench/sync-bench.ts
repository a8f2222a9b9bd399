// Push → applied through the webhook path, against the time of the `git fetch` alone.
// For 100 and 1,000 policies in the repository: the first full apply, then three one-file commits,
// each timed from the signed webhook to the worker's `apply` success status on that commit
// (fetch, snapshot, validate, plan, enqueue, calicoctl pod, verify, report), next to a bare
// `git fetch` of the same commit into a mirror.
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startAgentProcess } from '../../agent/app/agent-process.js';
import { parseConfig } from '../../agent/config/config.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster } from '../../test/kube-sim/index.js';
import { cleanupGitFixtures, createRemote, createWorkRepo, GIT_TEST_ENV } from '../../test/support/git-fixtures.js';
import { installAgentRbac } from '../../test/support/install-agent.js';
import { generatePolicies } from './generate-policies.js';

const exec = promisify(execFile);
const SIZES = [100, 1_000];
const ROUNDS = 3;

const ms = (start: number) => Math.round(performance.now() - start);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const n of SIZES) out[String(n)] = await benchSize(n);
  await cleanupGitFixtures();
  return out;
}

async function benchSize(n: number): Promise<Record<string, unknown>> {
  const sim = await startCluster({ tls: true });
  const installed = await installAgentRbac(sim);
  const files = generatePolicies({ count: n }).map((f) => ({ path: `policies/${f.path}`, content: f.content }));
  const namespaces = new Set(files.flatMap((f) => [...f.content.matchAll(/namespace: (\S+)/g)].map((m) => m[1] ?? '')));
  for (const ns of namespaces) if (ns) await installed.kubectl(['create', 'namespace', ns]);

  const remote = await createRemote();
  const work = await createWorkRepo({ remote });
  const first = await work.commitAndPush({ files: Object.fromEntries(files.map((f) => [f.path, f.content])), message: `${n} policies` });
  const mirror = await mkdtemp(join(tmpdir(), 'cg-bench-mirror-'));
  await exec('git', ['clone', '--quiet', '--mirror', remote.url, mirror], { env: { ...process.env, ...GIT_TEST_ENV } });

  const dir = await mkdtemp(join(tmpdir(), 'cg-bench-'));
  const secret = randomBytes(8).toString('hex');
  await writeFile(join(dir, 'secret'), secret);
  const cluster = `bench-${randomBytes(3).toString('hex')}`;
  const parsed = parseConfig({
    flags: {
      repo: remote.url,
      path: 'policies',
      cluster,
      kubeconfig: installed.agentKubeconfig,
      webhookSecretFile: join(dir, 'secret'),
      pollInterval: '1h',
      listen: '127.0.0.1:0',
      workers: '1',
      verifyTimeout: '60s',
      podTimeout: '5m',
      logLevel: 'error',
    },
    env: {},
  });
  if (!parsed.ok) throw new Error(parsed.issues.map((p) => p.message).join('; '));
  const redis = new Redis(parsed.config.redis);
  const statuses = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
  const applied = async (sha: string): Promise<string> => {
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
      const s = (await statuses.listStatuses({ sha })).find((x) => x.context.endsWith('/apply') && x.state !== 'pending');
      if (s) return `${s.state}: ${s.description}`;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no apply status for ${sha}`);
  };

  let start = performance.now();
  const agent = await startAgentProcess({
    config: parsed.config,
    logger: pino({ level: 'error' }),
    clock: systemClock,
    controller: true,
    workers: 1,
    cacheDir: dir,
    baseEnv: process.env,
    gitEnv: GIT_TEST_ENV,
    fetch: (url, init) => fetch(url, init),
    random: Math.random,
    http: true,
    lease: { durationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
  });
  const firstResult = await applied(first);
  const firstApplyMs = ms(start);

  const pushToApplied: number[] = [];
  const fetchAlone: number[] = [];
  let lastResult = '';
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const target = files[round % files.length];
      if (!target) break;
      const sha = await work.commitAndPush({ files: { [target.path]: target.content.replace(/order: (\d+)/, (_m, d: string) => `order: ${Number(d) + round + 1}`) }, message: `tweak ${round}` });
      start = performance.now();
      await exec('git', ['fetch', '--quiet', 'origin'], { cwd: mirror, env: { ...process.env, ...GIT_TEST_ENV } }).catch(() =>
        exec('git', ['fetch', '--quiet', remote.url, '+refs/heads/*:refs/heads/*'], { cwd: mirror, env: { ...process.env, ...GIT_TEST_ENV } }),
      );
      fetchAlone.push(ms(start));
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      start = performance.now();
      await fetch(`${agent.url}/hooks/git`, { method: 'POST', headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature }, body });
      lastResult = await applied(sha);
      pushToApplied.push(ms(start));
    }
  } finally {
    await agent.stop();
    const keys = await redis.keys(`${queuePrefix(cluster)}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  }
  return {
    files: files.length,
    firstApplyMs,
    firstResult,
    pushToAppliedMs: { median: median(pushToApplied), runs: pushToApplied },
    gitFetchAloneMs: { median: median(fetchAlone), runs: fetchAlone },
    lastResult,
  };
}
