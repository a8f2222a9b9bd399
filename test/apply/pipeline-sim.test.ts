// The sync job end to end on real parts: a plan built by the real desired and plan stages, queued
// in the real Redis, taken by a worker, applied by a calicoctl/kubectl pod on the simulator, and
// verified through the real live cache; its result is read back from the queue. The audit is
// recorded by a test port.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../../agent/apply/index.js';
import { systemClock } from '../../agent/domain/index.js';
import { CalicoctlExecutor, calicoctlImageFor, kubeOpsFor, liveVerifier } from '../../agent/executor/index.js';
import { createKubeClients } from '../../agent/kube/index.js';
import type { LiveCache } from '../../agent/live/live-cache.js';
import { createSyncQueue, createWorker, type QueueWorker, type SyncQueue } from '../../agent/queue/index.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { adminClient, executorSetup } from '../kube-sim/runtime/test-fixtures.js';
import { desiredFrom, fixtureFiles, planAgainst, startLive, version } from '../live/round-trip.js';
import { ensureNamespace } from '../live/sim-apply.js';
import { captureLogger, deleteKeys, randomCluster, Recorder, REDIS_URL, resultOf } from '../queue/helpers.js';

const V = 'v3.31.2';
let sim: KubeSim;
let dir: string;
let live: LiveCache;
let queue: SyncQueue;
let worker: QueueWorker;
let cluster: string;
const recorder = new Recorder();
const logger = captureLogger();

beforeAll(async () => {
  sim = await startCluster({ calicoVersion: V });
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-pipeline-'));
  await executorSetup(adminClient(sim), { namespace: 'calico-gitops', serviceAccount: 'calico-gitops-executor' });
  for (const ns of ['test1', 'test2']) await ensureNamespace(sim, ns);
  live = await startLive(sim, dir);
  expect(await live.waitForSync(20_000)).toBe(true);

  const kubeconfig = path.join(dir, 'agent-kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  const clients = createKubeClients({ kubeconfig });
  cluster = randomCluster();
  queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger, retry: { attempts: 2, backoffMs: 100 } });
  const executor = new CalicoctlExecutor({
    kube: kubeOpsFor(clients.config),
    namespace: 'calico-gitops',
    serviceAccount: 'calico-gitops-executor',
    calicoctlImage: calicoctlImageFor({ version: version(V) }),
    podTimeoutMs: 60_000,
    logger,
  });
  worker = await createWorker({
    connection: REDIS_URL,
    cluster,
    logger,
    handler: (job) =>
      runApply({
        job,
        deps: { executor, verifier: liveVerifier(live), audit: recorder, latestRevision: () => queue.latestRevision(), logger, clock: systemClock, verifyTimeoutMs: 10_000 },
      }),
  });
});

afterAll(async () => {
  await worker?.close({ graceMs: 2_000 });
  await queue?.close();
  if (cluster) await deleteKeys(cluster);
  await live?.stop();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sync job on the simulator', () => {
  it('applies a revision, verifies it live, then applies a deletion; repeats enqueue nothing', async () => {
    const v = version(V);
    const files = fixtureFiles(v);
    const plan1 = planAgainst(desiredFrom(files, v), live, { revision: 'rev1' });
    expect(plan1.steps.length).toBeGreaterThan(3);
    await queue.setLatestRevision('rev1');
    const job1 = await queue.enqueueSync({ plan: plan1, revision: 'rev1', author: 'alice' });
    // A repeat while the job waits or runs enqueues nothing (once it finished, only a plan needed again would).
    expect(await queue.enqueueSync({ plan: plan1, revision: 'rev1', author: 'alice' })).toEqual({ jobId: job1.jobId, created: false });
    const result1 = await resultOf(queue, job1.jobId, 60_000);
    expect(result1.kind === 'applied' && result1.results.filter((r) => r.outcome === 'ok')).toHaveLength(plan1.steps.length);
    // The live cache now shows exactly the repository: nothing left to do, so the controller enqueues nothing.
    expect(planAgainst(desiredFrom(files, v), live, { revision: 'rev1' }).steps).toEqual([]);

    const remaining = files.filter((f) => f.path !== 'test2-k8s.yaml');
    const plan2 = planAgainst(desiredFrom(remaining, v), live, { revision: 'rev2', allowDeletes: 10 });
    expect(plan2.steps.map((s) => s.action)).toEqual(plan2.steps.map(() => 'delete'));
    expect(plan2.steps.length).toBeGreaterThan(0);
    await queue.setLatestRevision('rev2');
    const job2 = await queue.enqueueSync({ plan: plan2, revision: 'rev2', author: 'bob' });
    const result2 = await resultOf(queue, job2.jobId, 60_000);
    expect(result2.kind === 'applied' && result2.results.map((r) => `${r.action} ${r.outcome}`)).toEqual(plan2.steps.map(() => 'delete ok'));
    for (const s of plan2.steps) expect(live.get(s.key)).toBeUndefined();
    expect(planAgainst(desiredFrom(remaining, v), live, { revision: 'rev2' }).steps).toEqual([]);

    expect(recorder.audit.every((e) => e.result === 'ok')).toBe(true);
    expect(new Set(recorder.audit.map((e) => e.author))).toEqual(new Set(['alice', 'bob']));
  });
});
