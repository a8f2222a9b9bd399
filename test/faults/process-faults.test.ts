// Processes dying or losing their role during a sync: Redis SIGKILLed mid-apply and restarted with
// its append-only file, a worker process SIGKILLed while its calicoctl pod runs, and the leader
// losing its Lease while the commit is planned. Each test has its own rig.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, eventually } from '../support/agent-harness.js';
import { spawnCli, type CliProcess } from '../support/cli.js';
import { cleanupGitFixtures, GIT_TEST_ENV, samplePolicyYaml } from '../support/git-fixtures.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startTestAgent } from '../support/agent-harness.js';
import { change, startFaultRig, type FaultRig } from './rig.js';
import { createLogger } from '../../agent/config/logger.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentProcess } from '../../agent/app/agent-process.js';

let rig: FaultRig | undefined;
let redis: RedisServer | undefined;
const processes: CliProcess[] = [];
const extraAgents: AgentProcess[] = [];

afterEach(async () => {
  await Promise.allSettled(processes.splice(0).map((p) => p.stop(5_000)));
  await Promise.allSettled(extraAgents.splice(0).map((a) => a.stop()));
  await rig?.stop();
  rig = undefined;
  await redis?.kill();
  redis = undefined;
  await cleanupGitFixtures();
}, 60_000);

const files = { 'base.yaml': samplePolicyYaml('base', { order: 1 }) };

describe('process faults', () => {
  it('Redis SIGKILLed mid-apply and restarted with persistence: applied and audited once', async () => {
    const port = await freePort();
    redis = await startRedisServer({ port, persistence: true });
    const dir = redis.dir;
    rig = await startFaultRig({ files, redisUrl: `redis://127.0.0.1:${port}` });
    await rig.startAgent();
    await rig.converged({ sha: rig.firstSha, fault: 'none (first sync)', injected: 0, policies: ['base'], changes: [change('create', 'base')] });

    let crashed: Promise<void> | undefined;
    const sha = await rig.work.commitAndPush({ files: { 'kept.yaml': samplePolicyYaml('kept', { order: 2 }) }, message: 'add kept' });
    rig.onLog = (entry) => {
      if (!crashed && entry.msg === 'executor pod started') crashed = redis?.kill();
    };
    try {
      await eventually('the pod to start', async () => (crashed ? true : undefined), { timeoutMs: 30_000 });
    } finally {
      rig.onLog = undefined;
    }
    await crashed;
    redis = await startRedisServer({ port, dir, persistence: true });
    await rig.converged({ sha, fault: 'Redis SIGKILLed mid-apply, restarted with persistence', injected: 1, policies: ['base', 'kept'], changes: [change('create', 'kept')] });
    // The first commit's audit survived the crash.
    expect((await rig.audit()).filter((e) => e.revision === rig?.firstSha)).toHaveLength(1);
  }, 180_000);

  it('a worker process SIGKILLed while its calicoctl pod runs: another worker finishes the job', async () => {
    rig = await startFaultRig({ files });
    // The controller runs here; the workers are separate processes.
    await rig.startAgent({ workers: 0 });
    const workerFlags = ['--kubeconfig', rig.installed.agentKubeconfig, '--cluster', rig.config.cluster, '--redis', 'redis://127.0.0.1:6379', '--verify-timeout', '20s'];
    const env = { ...GIT_TEST_ENV, CALICO_GITOPS_LOG_LEVEL: 'info' };
    const first = spawnCli(['worker', ...workerFlags, '--listen', `127.0.0.1:${await freePort()}`], { env });
    processes.push(first);
    await rig.converged({ sha: rig.firstSha, fault: 'none (first sync)', injected: 0, policies: ['base'], changes: [change('create', 'base')] });

    // The pods take a little longer, so the kill surely lands inside one.
    rig.sim.faults.set([{ pathPrefix: '/api/v1/namespaces/calico-gitops/pods', latencyMs: 300 }]);
    let killed = false;
    const unsubscribe = first.onLine((line) => {
      if (!killed && line.includes('"msg":"executor pod started"')) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    const sha = await rig.work.commitAndPush({ files: { 'survivor.yaml': samplePolicyYaml('survivor', { order: 2 }) }, message: 'add survivor' });
    try {
      await eventually('the worker to be killed mid-pod', async () => (killed ? true : undefined), { timeoutMs: 60_000, context: () => first.output().slice(-3000) });
    } finally {
      unsubscribe();
    }
    rig.sim.faults.clear();
    processes.push(spawnCli(['worker', ...workerFlags, '--listen', `127.0.0.1:${await freePort()}`], { env }));
    // The job's lock expires (BullMQ's stalled check, 30 s), the second worker runs it again,
    // replacing the pod and ConfigMap the dead worker left.
    await rig.converged({ sha, fault: 'worker SIGKILLed mid-pod', injected: 1, policies: ['base', 'survivor'], changes: [change('create', 'survivor')], timeoutMs: 150_000 });
  }, 240_000);

  it('the leader losing its Lease while the commit is planned: the next leader applies it once', async () => {
    rig = await startFaultRig({ files });
    await rig.startAgent();
    await rig.converged({ sha: rig.firstSha, fault: 'none (first sync)', injected: 0, policies: ['base'], changes: [change('create', 'base')] });
    // From the push on, the leader's renewals are refused: it stops leading within its renew deadline.
    rig.sim.faults.set([{ pathPrefix: '/apis/coordination.k8s.io/v1/namespaces/calico-gitops/leases', method: 'PUT', status: 503 }]);
    const sha = await rig.work.commitAndPush({ files: { 'led.yaml': samplePolicyYaml('led', { order: 2 }) }, message: 'add led' });
    await eventually('the leader to step down', async () => (rig?.logs.some((l) => l.includes('stopped leading')) ? true : undefined), { timeoutMs: 30_000 });
    // A second controller (its own identity) is ready to take over once the Lease is free again.
    const cacheDir = await mkdtemp(join(tmpdir(), 'cg-faults-second-'));
    extraAgents.push(await startTestAgent({ config: rig.config, logger: createLogger({ level: 'silent' }), cacheDir, controller: true, workers: 1, http: false }));
    rig.sim.faults.clear();
    await rig.converged({ sha, fault: 'leader lost its Lease mid-plan', injected: 1, policies: ['base', 'led'], changes: [change('create', 'led')] });
  }, 180_000);
});
