// `npm run bench -- stages`: push → applied broken into stages, with the Kubernetes API writes and
// calicoctl pods of each sync. A real agent (controller + one worker, debug logs kept in memory)
// follows a 100-policy repository; each round commits a one-file change, times a bare `git fetch`
// of it, then posts the signed webhook and waits for the `apply` success status. Stage boundaries
// come from the agent's own log lines (pino times, ms) and the status poll:
//   webhook → enqueued   fetch, snapshot, desired, live wait, plan, enqueue (controller), split by
//                        the cycle's debug marks (source read, desired built, live synced, plan built)
//   enqueued → pickup    a worker takes the job ("applying plan")
//   pickup → pod started ConfigMap and pod created ("executor pod started")
//   pod run              the calicoctl pod in the simulator ("executor pod finished")
//   pod → verified       logs read, pod and ConfigMap removed, audit, live view shows the change
//   verified → status    the `apply` status posted and seen: the settled job triggers a cycle
//                        (source read again, plan: in sync) and that cycle posts it
// desired and plan alone are timed in-process on the same files, so the controller share splits
// into fetch+snapshot and the rest. API writes are counted by the simulator (pass-through fault
// rules that fire on every write and are read back from /_sim/faults).
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startAgentProcess } from '../../agent/app/agent-process.js';
import { parseConfig } from '../../agent/config/config.js';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { buildPlan } from '../../agent/plan/build-plan.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster, type FaultRule } from '../../test/kube-sim/index.js';
import { cleanupGitFixtures, createRemote, createWorkRepo, GIT_TEST_ENV } from '../../test/support/git-fixtures.js';
import { installAgentRbac } from '../../test/support/install-agent.js';
import { generatePolicies } from './generate-policies.js';

const exec = promisify(execFile);
const POLICIES = 100;
// Nine rounds: the machine is shared, so medians and minimums, and ratios taken within one round.
const ROUNDS = 9;
const COUNT = 1_000_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round1 = (x: number) => Math.round(x * 10) / 10;

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

export async function run(): Promise<Record<string, unknown>> {
  const sim = await startCluster({ tls: true });
  const installed = await installAgentRbac(sim);
  const readCounters = async (): Promise<Record<string, number>> => {
    const { stdout } = await installed.kubectl(['get', '--raw', '/_sim/faults']);
    const rules = (JSON.parse(stdout) as { rules: (FaultRule & { times?: number })[] }).rules;
    return Object.fromEntries(
      Object.entries(COUNTERS).map(([name, rule]) => {
        const left = rules.find((r) => r.pathPrefix === rule.pathPrefix && r.method === rule.method)?.times ?? 0;
        return [name, COUNT - left];
      }),
    );
  };
  const files = generatePolicies({ count: POLICIES }).map((f) => ({ path: `policies/${f.path}`, content: f.content }));
  const namespaces = new Set(files.flatMap((f) => [...f.content.matchAll(/namespace: (\S+)/g)].map((m) => m[1] ?? '')));
  for (const ns of namespaces) if (ns) await installed.kubectl(['create', 'namespace', ns]);
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
  const parsed = parseConfig({
    flags: { repo: remote.url, path: 'policies', cluster, kubeconfig: installed.agentKubeconfig, webhookSecretFile: join(dir, 'secret'), pollInterval: '1h', listen: '127.0.0.1:0', workers: '1', logLevel: 'debug' },
    env: {},
  });
  if (!parsed.ok) throw new Error(parsed.issues.map((p) => p.message).join('; '));
  const lines: { time: number; msg?: string; revision?: string; jobId?: string; ms?: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const redis = new Redis(parsed.config.redis);
  const statuses = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
  const appliedAt = async (sha: string): Promise<number> => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const s = (await statuses.listStatuses({ sha })).find((x) => x.context.endsWith('/apply') && x.state !== 'pending');
      if (s) {
        if (s.state !== 'success') throw new Error(`apply ${s.state}: ${s.description}`);
        return Date.now();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no apply status for ${sha}`);
  };

  const agent = await startAgentProcess({
    config: parsed.config,
    logger,
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
  const withOrder = files.filter((f) => /order: \d+/.test(f.content));
  const stages: Record<string, number[]> = {
    webhookToSourceRead: [],
    sourceReadToDesired: [],
    desiredToLiveSynced: [],
    liveSyncedToPlanned: [],
    plannedToEnqueued: [],
    verifiedToSettleCycleSourceRead: [],
    settleCycleSourceReadToStatus: [],
    webhookToEnqueued: [], enqueuedToPickup: [], pickupToPodStarted: [], podRun: [], podToVerified: [], verifiedToStatus: [], pushToApplied: [], pushToAppliedWithoutPod: [] };
  const fetchAlone: number[] = [];
  const writes: Record<string, number>[] = [];
  try {
    await appliedAt(first);
    sim.faults.set(Object.values(COUNTERS));
    for (let round = 0; round < ROUNDS; round++) {
      // Only files with an order field change when it is bumped (an empty commit would fail).
      const target = withOrder[(round * 7) % withOrder.length];
      if (!target) break;
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
      await fetch(`${agent.url ?? ''}/hooks/git`, { method: 'POST', headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature }, body });
      const tEnd = await appliedAt(sha);
      const total = performance.now() - t;
      const after = await readCounters();
      writes.push(Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)])));
      const mine = lines.slice(from);
      const at = (msg: string, after = 0) => mine.find((l) => l.msg?.startsWith(msg) === true && (l.revision === undefined || l.revision === sha) && l.time >= after)?.time;
      const enq = at('sync job enqueued');
      const pick = at('applying plan');
      const podStart = at('executor pod started');
      const podEnd = at('executor pod finished');
      const verified = at('plan applied and verified');
      if (!enq || !pick || !podStart || !podEnd || !verified) throw new Error(`missing stage log lines: ${JSON.stringify({ enq, pick, podStart, podEnd, verified })}`);
      // The controller cycle's own marks (debug lines of agent/controller/cycle.ts).
      const read = at('cycle: source read') ?? enq;
      const built = at('cycle: desired built') ?? read;
      const synced = at('cycle: live synced') ?? built;
      const planned = at('cycle: plan built') ?? synced;
      stages['webhookToSourceRead']?.push(read - t0);
      stages['sourceReadToDesired']?.push(built - read);
      stages['desiredToLiveSynced']?.push(synced - built);
      stages['liveSyncedToPlanned']?.push(planned - synced);
      stages['plannedToEnqueued']?.push(enq - planned);
      // The apply status is posted by the cycle the settled job triggers: its source read, then the rest.
      const settleRead = at('cycle: source read', verified) ?? verified;
      stages['verifiedToSettleCycleSourceRead']?.push(settleRead - verified);
      stages['settleCycleSourceReadToStatus']?.push(tEnd - settleRead);
      stages['webhookToEnqueued']?.push(enq - t0);
      stages['enqueuedToPickup']?.push(pick - enq);
      stages['pickupToPodStarted']?.push(podStart - pick);
      stages['podRun']?.push(podEnd - podStart);
      stages['podToVerified']?.push(verified - podEnd);
      stages['verifiedToStatus']?.push(tEnd - verified);
      stages['pushToApplied']?.push(total);
      stages['pushToAppliedWithoutPod']?.push(total - (podEnd - podStart));
    }
  } finally {
    sim.faults.clear();
    await agent.stop();
    const keys = await redis.keys(`${queuePrefix(cluster)}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
  }

  // The pure controller stages on the same repository, in-process.
  const calicoVersion = parseCalicoVersion(sim.calicoVersion);
  if (!calicoVersion) throw new Error('bad Calico version');
  const sourceFiles = files.map((f) => ({ path: f.path.replace(/^policies\//, ''), content: f.content }));
  let t = performance.now();
  const desired = buildDesiredState({ files: sourceFiles, calicoVersion });
  const desiredMs = performance.now() - t;
  const live = { isSynced: () => true, get: () => undefined, list: () => [] };
  t = performance.now();
  buildPlan({ desired: desired.state, live, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
  const planMs = performance.now() - t;
  await cleanupGitFixtures();

  const medians = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round1(median(v))]));
  const fetchMs = round1(median(fetchAlone));
  const perRound = (stages['pushToAppliedWithoutPod'] ?? []).map((x, i) => x / (fetchAlone[i] ?? x));
  const perSync = writes.map((w) => ({
    calicoResourceWrites: (w['calicoWrites'] ?? 0) + (w['calicoUpdates'] ?? 0) + (w['calicoDeletes'] ?? 0) + (w['k8sPolicyWrites'] ?? 0),
    configMapWrites: (w['configMapCreates'] ?? 0) + (w['configMapDeletes'] ?? 0),
    podCreates: (w['podPosts'] ?? 0) / 2,
    podDeletes: w['podDeletes'] ?? 0,
  }));
  return {
    policies: POLICIES,
    rounds: ROUNDS,
    changedResourcesPerSync: 1,
    stagesMedianMs: medians,
    stagesMinMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round1(Math.min(...v))])),
    controllerInProcessMs: { desired: round1(desiredMs), plan: round1(planMs), note: 'one build of desired state and plan for the whole repository; the rest of webhookToEnqueued is fetch, snapshot, live wait and enqueue' },
    gitFetchAloneMs: fetchMs,
    gitFetchAloneMinMs: round1(Math.min(...fetchAlone)),
    // Per round (push → applied without the pod) / (that round's git fetch): load on the shared machine hits both alike.
    withoutPodVsGitFetchPerRound: { min: round1(Math.min(...perRound)), median: round1(median(perRound)) },
    pushToAppliedVsGitFetch: round1((medians['pushToApplied'] ?? 0) / fetchMs),
    pushToAppliedWithoutPodVsGitFetch: round1((medians['pushToAppliedWithoutPod'] ?? 0) / fetchMs),
    apiWritesPerSync: perSync,
    calicoctlPodsPerSync: perSync.map((s) => s.podCreates),
    // By method: an update is one PUT (calicoctl replace); apply would try a create first (POST, 409 when the object exists).
    apiWritesByRuleFirstSync: writes[0],
  };
}
