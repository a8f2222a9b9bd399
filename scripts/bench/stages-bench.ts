// `npm run bench -- stages`: push → applied broken into stages, with the Kubernetes API writes and
// calicoctl pods of each sync, for two topologies of a real agent (scripts/bench/stages-agents.ts):
//   deployed    controller with `--workers 0` plus one `calico-gitops worker` process (deploy/)
//   oneProcess  controller and one in-process worker (`--workers 1`)
// Each follows a 100-policy repository in a fresh simulator; each round commits a one-file change,
// times a bare `git fetch` of it, then posts the signed webhook and waits for the `apply` success
// status. Stage boundaries come from the agent's own log lines (pino times, ms; the worker's from
// the process that runs it) and the status poll:
//   webhook → cycle start  HTTP, signature check, trigger ("cycle: started", the fetching cycle)
//   cycle start → read     GitSource.latest: fetch, diff, changed blobs ("cycle: source read")
//   read → enqueued        desired, live wait, plan, enqueue, split by the cycle's debug marks
//   enqueued → pickup      a worker takes the job ("applying plan")
//   pickup → pod started   ConfigMap and pod created ("executor pod started")
//   pod run                the calicoctl pod in the simulator ("executor pod finished")
//   pod → verified         logs read, pod and ConfigMap removed, audit, live view shows the change
//   verified → status      the `apply` status posted and seen: the settled job triggers a cycle
//                          (source read again, plan: in sync) and that cycle posts it
// desired and plan alone are timed in-process on the same files, so the controller share splits
// into fetch+snapshot and the rest. API writes are counted by the simulator (pass-through fault
// rules that fire on every write and are read back from /_sim/faults).
import { execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { buildPlan } from '../../agent/plan/build-plan.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import type { FaultRule } from '../../test/kube-sim/index.js';
import { cleanupGitFixtures, createRemote, createWorkRepo, GIT_TEST_ENV } from '../../test/support/git-fixtures.js';
import { generatePolicies } from './generate-policies.js';
import { startStagesAgent, TOPOLOGIES, type Topology } from './stages-agents.js';
import { roundStages, topologyFigures, type LogLine, type StageName } from './stages-figures.js';
import { startSimProcess, type SimProcess } from './stages-sim-process.js';

const exec = promisify(execFile);
const POLICIES = 100;
// Nine rounds: the machine is shared, so medians and minimums, and ratios taken within one round.
const ROUNDS = 9;
const COUNT = 1_000_000;
const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Write counters: one pass-through rule per (path, method); fired = COUNT − what is left. */
const COUNTERS: Record<string, FaultRule> = {
  calicoWrites: { pathPrefix: '/apis/crd.projectcalico.org/', method: 'POST', latencyMs: 0, times: COUNT },
  calicoUpdates: { pathPrefix: '/apis/crd.projectcalico.org/', method: 'PUT', latencyMs: 0, times: COUNT },
  calicoDeletes: { pathPrefix: '/apis/crd.projectcalico.org/', method: 'DELETE', latencyMs: 0, times: COUNT },
  k8sPolicyWrites: { pathPrefix: '/apis/networking.k8s.io/', method: 'POST', latencyMs: 0, times: COUNT },
  configMapCreates: { pathPrefix: '/api/v1/namespaces/calico-gitops/configmaps', method: 'POST', latencyMs: 0, times: COUNT },
  configMapDeletes: { pathPrefix: '/api/v1/namespaces/calico-gitops/configmaps', method: 'DELETE', latencyMs: 0, times: COUNT },
  // pods POST counts the create and the kubelet's binding (one per pod): halved below.
  podPosts: { pathPrefix: '/api/v1/namespaces/calico-gitops/pods', method: 'POST', latencyMs: 0, times: COUNT },
  podDeletes: { pathPrefix: '/api/v1/namespaces/calico-gitops/pods', method: 'DELETE', latencyMs: 0, times: COUNT },
};

const files = generatePolicies({ count: POLICIES }).map((f) => ({ path: `policies/${f.path}`, content: f.content }));

export async function run(): Promise<Record<string, unknown>> {
  const topologies: Partial<Record<Topology, Record<string, unknown>>> = {};
  let calicoVersionText = '';
  try {
    for (const topology of TOPOLOGIES) {
      process.stderr.write(`bench stages: topology ${topology}\n`);
      const result = await runTopology(topology);
      calicoVersionText = result.calicoVersion;
      topologies[topology] = result.figures;
    }
  } finally {
    await cleanupGitFixtures();
  }

  // The pure controller stages on the same repository, in-process.
  const calicoVersion = parseCalicoVersion(calicoVersionText);
  if (!calicoVersion) throw new Error('bad Calico version');
  const sourceFiles = files.map((f) => ({ path: f.path.replace(/^policies\//, ''), content: f.content }));
  let t = performance.now();
  const desired = buildDesiredState({ files: sourceFiles, calicoVersion });
  const desiredMs = performance.now() - t;
  const live = { isSynced: () => true, get: () => undefined, list: () => [] };
  t = performance.now();
  buildPlan({ desired: desired.state, live, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
  const planMs = performance.now() - t;

  return {
    policies: POLICIES,
    rounds: ROUNDS,
    changedResourcesPerSync: 1,
    topologies: {
      note: 'deployed: controller (--workers 0) in the bench process + one `calico-gitops worker` child process, as deploy/ runs them; oneProcess: controller + in-process worker (--workers 1). Each in a fresh simulator, one after the other.',
      ...topologies,
    },
    controllerInProcessMs: { desired: round1(desiredMs), plan: round1(planMs), note: 'one build of desired state and plan for the whole repository; the rest of webhookToEnqueued is fetch, snapshot, live wait and enqueue' },
  };
}

async function runTopology(topology: Topology): Promise<{ calicoVersion: string; figures: Record<string, unknown> }> {
  const sim = await startSimProcess();
  try {
    return await inSim(topology, sim);
  } finally {
    await sim.stop();
  }
}

async function inSim(topology: Topology, sim: SimProcess): Promise<{ calicoVersion: string; figures: Record<string, unknown> }> {
  const readCounters = async (): Promise<Record<string, number>> => {
    const rules = (JSON.parse(await sim.kubectl(['get', '--raw', '/_sim/faults'])) as { rules: (FaultRule & { times?: number })[] }).rules;
    return Object.fromEntries(
      Object.entries(COUNTERS).map(([name, rule]) => {
        const left = rules.find((r) => r.pathPrefix === rule.pathPrefix && r.method === rule.method)?.times ?? 0;
        return [name, COUNT - left];
      }),
    );
  };
  const namespaces = new Set(files.flatMap((f) => [...f.content.matchAll(/namespace: (\S+)/g)].map((m) => m[1] ?? '')));
  for (const ns of namespaces) if (ns) await sim.kubectl(['create', 'namespace', ns]);
  const remote = await createRemote();
  const work = await createWorkRepo({ remote });
  const first = await work.commitAndPush({ files: Object.fromEntries(files.map((f) => [f.path, f.content])), message: `${POLICIES} policies` });
  const mirror = await mkdtemp(join(tmpdir(), 'cg-bench-mirror-'));
  const gitEnv = { ...process.env, ...GIT_TEST_ENV };
  await exec('git', ['clone', '--quiet', '--mirror', remote.url, mirror], { env: gitEnv });

  const dir = await mkdtemp(join(tmpdir(), 'cg-bench-stages-'));
  const secret = randomBytes(8).toString('hex');
  await writeFile(join(dir, 'secret'), secret);
  const cluster = `stages-${randomBytes(3).toString('hex')}`;
  const lines: LogLine[] = [];
  let agent: Awaited<ReturnType<typeof startStagesAgent>> | undefined;
  let redis: Redis | undefined;
  const rounds: Record<StageName, number>[] = [];
  const fetchAlone: number[] = [];
  const writes: Record<string, number>[] = [];
  const spawnCallMs: number[] = [];
  try {
    agent = await startStagesAgent({ topology, kubeconfigs: sim, repo: remote.url, cluster, webhookSecretFile: join(dir, 'secret'), cacheDir: dir, onLine: (l) => void lines.push(l) });
    const running = agent;
    redis = new Redis(running.config.redis);
    const statuses = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
    const appliedAt = async (sha: string): Promise<number> => {
      // The first sync also waits for a worker process to start (tsx compiles the CLI).
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
        const s = (await statuses.listStatuses({ sha })).find((x) => x.context.endsWith('/apply') && x.state !== 'pending');
        if (s) {
          if (s.state !== 'success') throw new Error(`apply ${s.state}: ${s.description}`);
          return Date.now();
        }
        const problem = running.problem();
        if (problem) throw new Error(problem);
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`no apply status for ${sha}`);
    };
    const withOrder = files.filter((f) => /order: \d+/.test(f.content));
    await appliedAt(first);
    await sim.setFaults(Object.values(COUNTERS));
    for (let round = 0; round < ROUNDS; round++) {
      // Only files with an order field change when it is bumped (an empty commit would fail).
      const target = withOrder[(round * 7) % withOrder.length];
      if (!target) break;
      spawnCallMs.push(await gitSpawnCallMs());
      const sha = await work.commitAndPush({ files: { [target.path]: target.content.replace(/order: (\d+)/, (_m, d: string) => `order: ${Number(d) + round + 1}`) }, message: `tweak ${round}` });
      let t = performance.now();
      await exec('git', ['fetch', '--quiet', remote.url, '+refs/heads/*:refs/heads/*'], { cwd: mirror, env: gitEnv });
      fetchAlone.push(performance.now() - t);
      const before = await readCounters();
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const from = lines.length;
      const t0 = Date.now();
      t = performance.now();
      await fetch(`${running.url}/hooks/git`, { method: 'POST', headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature }, body });
      const tEnd = await appliedAt(sha);
      const totalMs = performance.now() - t;
      const after = await readCounters();
      writes.push(Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)])));
      // A worker line may come through its pipe a little after the status is seen.
      rounds.push(await withLines(() => roundStages({ lines: lines.slice(from), sha, t0, tEnd, totalMs })));
    }
  } finally {
    await sim.clearFaults().catch(() => undefined);
    await agent?.stop();
    if (redis) {
      const keys = await redis.keys(`${queuePrefix(cluster)}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  }

  const perSync = writes.map((w) => ({
    calicoResourceWrites: (w['calicoWrites'] ?? 0) + (w['calicoUpdates'] ?? 0) + (w['calicoDeletes'] ?? 0) + (w['k8sPolicyWrites'] ?? 0),
    configMapWrites: (w['configMapCreates'] ?? 0) + (w['configMapDeletes'] ?? 0),
    podCreates: (w['podPosts'] ?? 0) / 2,
    podDeletes: w['podDeletes'] ?? 0,
  }));
  return {
    calicoVersion: sim.calicoVersion,
    figures: {
      ...topologyFigures(rounds, fetchAlone),
      controllerProcess: {
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        gitSpawnCallMs: { median: round1(median(spawnCallMs)), min: round1(Math.min(...spawnCallMs)) },
        note: 'the synchronous part of child_process.spawn in the controller process (a fork of the whole process, event loop blocked), timed between rounds; every git process GitSource.latest starts (its fetch, at least) pays it',
      },
      apiWritesPerSync: perSync,
      calicoctlPodsPerSync: perSync.map((s) => s.podCreates),
      // By method: an update is one PUT (calicoctl replace); apply would try a create first (POST, 409 when the object exists).
      apiWritesByRuleFirstSync: writes[0],
    },
  };
}

/** How long spawning one git blocks the event loop of this (the controller's) process. */
async function gitSpawnCallMs(): Promise<number> {
  const t = performance.now();
  const child = spawn('git', ['--version'], { stdio: 'ignore' });
  const ms = performance.now() - t;
  await once(child, 'close');
  return ms;
}

/** Retries `read` while a stage line is missing, for up to a second (the worker's pipe may lag). */
async function withLines<T>(read: () => T): Promise<T> {
  for (const deadline = Date.now() + 1_000; ; ) {
    try {
      return read();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
