// End to end: the agent survives a Redis crash without losing a sync (DESIGN.md: "A Redis restart
// or a killed worker loses no sync"). A PRIVATE redis-server (the shared one on 6379 serves other
// tests) is SIGKILLed while a commit is pushed, then started again empty on the same port, as a
// Redis restart without persistence. The plan is recomputed from Git and the cluster, so the
// commit still gets applied and reported, and the password in the Redis URL never reaches a log.
// Each test has its own Redis (on a free port), repository, simulator and agent, synced to the
// first commit before the fault, so any one of them runs alone.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_NAME, queuePrefix } from '../../agent/queue/keys.js';
import type { StoredCommitStatus } from '../../agent/report/redis-status-store.js';
import { eventually, freePort } from '../support/agent-harness.js';
import { cleanupGitFixtures, samplePolicyYaml } from '../support/git-fixtures.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { recordFault } from './ledger.js';
import { startFaultRig, type FaultRig } from './rig.js';

const PASSWORD = `s3cret-${randomBytes(6).toString('hex')}`;

let rig: FaultRig | undefined;
let redis: RedisServer | undefined;
let port = 0;
/** Data directories of every redis-server this test started, removed after it. */
const redisDirs: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

/** Starts redis-server on this test's port, without persistence: a restart comes back empty. */
async function startRedis(): Promise<RedisServer> {
  const server = await startRedisServer({ port, password: PASSWORD });
  redisDirs.push(server.dir);
  redis = server;
  return server;
}

/** A crash: no shutdown, no save. */
async function killRedis(): Promise<void> {
  const server = redis;
  redis = undefined;
  await server?.kill();
}

/**
 * This test's Redis, simulator, repository (`allow-ssh`) and agent, with the first commit applied
 * and reported: the state every fault starts from.
 */
async function synced(): Promise<FaultRig> {
  port = await freePort();
  await startRedis();
  const r = await startFaultRig({ files: { 'allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 10 }) }, redisUrl: `redis://:${PASSWORD}@127.0.0.1:${port}` });
  rig = r;
  await r.startAgent();
  const status = await appliedStatus(r, r.firstSha);
  expect(status.description).toBe('applied 1, deleted 0');
  expect(await r.policies()).toEqual(['allow-ssh']);
  return r;
}

/** Waits for the commit's apply status to be `success`. */
function appliedStatus(r: FaultRig, sha: string, timeoutMs = 40_000): Promise<StoredCommitStatus> {
  return eventually(
    `apply success of ${sha.slice(0, 8)}`,
    async () => {
      const s = await r.status(sha, 'apply');
      return s?.state === 'success' ? s : undefined;
    },
    { timeoutMs, context: () => r.logs.slice(-10).join('') },
  );
}

/** Waits until the controller has failed two distinct cycles on `sha`: it keeps cycling. */
async function twoFailedCycles(r: FaultRig, sha: string, what: string, timeoutMs: number): Promise<void> {
  const failedCycles = new Set<string>();
  await eventually(
    what,
    async () => {
      const last = r.agent?.lastCycle();
      if (last?.outcome.kind === 'failed' && last.summary.revision === sha) failedCycles.add(last.at);
      return failedCycles.size >= 2 ? true : undefined;
    },
    { timeoutMs },
  );
}

/** Kills Redis, pushes `allow-web` and waits until the controller has failed on it twice. */
async function outage(r: FaultRig): Promise<{ sha: string; killedAt: string }> {
  const killedAt = new Date().toISOString();
  await killRedis();
  const sha = await r.work.commitAndPush({ files: { 'allow-web.yaml': samplePolicyYaml('allow-web', { order: 30 }) }, message: 'add web policy' });
  await twoFailedCycles(r, sha, 'two failed cycles on the commit pushed during the outage', 30_000);
  return { sha, killedAt };
}

/** Keys in this test's Redis. */
async function dbSize(): Promise<number> {
  const client = new Redis({ host: '127.0.0.1', port, password: PASSWORD, maxRetriesPerRequest: 0 });
  try {
    return await client.dbsize();
  } finally {
    client.disconnect();
  }
}

/** The queue's one-apply-at-a-time limit as stored in Redis (null when unset). */
async function globalConcurrency(r: FaultRig): Promise<number | null> {
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port, password: PASSWORD }, prefix: queuePrefix(r.config.cluster) });
  try {
    return await queue.getGlobalConcurrency();
  } finally {
    await queue.close();
  }
}

/**
 * Ledger entry for a commit that added `name`: lost when the policy is not in the cluster, a double
 * apply for every audit entry of it beyond one (a Redis restarted empty may have lost the entry
 * written before the crash; that loses history, not the change).
 */
async function ledger(r: FaultRig, fault: string, sha: string, name: string): Promise<void> {
  const inCluster = (await r.policies()).includes(name);
  const audited = (await r.audit()).filter((e) => e.revision === sha && e.resource.endsWith(`/${name}`)).length;
  const status = await r.status(sha, 'apply');
  recordFault({ fault, injected: 1, syncs: 1, converged: inCluster && status?.state === 'success' ? 1 : 0, lost: inCluster ? 0 : 1, doubleApplies: Math.max(0, audited - 1) });
  expect(audited).toBeLessThanOrEqual(1);
}

const errorsSince = (r: FaultRig, since: string) =>
  r.logs.flatMap((line) => {
    try {
      const e = JSON.parse(line) as { level: number; msg: string; time: string };
      return e.level >= 50 && e.time >= since ? [e.msg] : [];
    } catch {
      return [];
    }
  });

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  // Stop with Redis up and answering, so the stop measures the agent and not BullMQ's reconnect loop.
  redis?.child.kill('SIGCONT');
  // A stop while BullMQ is still reconnecting waits out the worker's whole grace period (25 s), so
  // first let a cycle succeed on the restarted Redis.
  if (rig && !redis && (await startRedis().then(() => true, () => false))) {
    const r = rig;
    await eventually('a cycle that reaches Redis again', async () => (r.agent?.lastCycle()?.outcome.kind === 'failed' ? undefined : true), { timeoutMs: 20_000 }).catch(() => undefined);
  }
  await rig?.stop();
  rig = undefined;
  await killRedis();
  await Promise.all(redisDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  await cleanupGitFixtures();
  process.off('unhandledRejection', onUnhandled);
}, 60_000);

describe('Redis outage', () => {
  it('applies the first commit and reports it in Redis', async () => {
    const r = await synced();
    expect(await globalConcurrency(r)).toBe(1);
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('keeps running while Redis is down, says where Redis is, and changes nothing', async () => {
    const r = await synced();
    const { killedAt } = await outage(r);
    const last = r.agent?.lastCycle();
    expect(last?.outcome.kind).toBe('failed');
    expect(last?.summary.message).toContain(`Redis at 127.0.0.1:${port} is unavailable`);
    // A clear error in the log, naming where Redis is.
    expect(errorsSince(r, killedAt)).toContainEqual(expect.stringContaining(`Redis at 127.0.0.1:${port}`));
    expect(await r.policies()).toEqual(['allow-ssh']);
    expect(unhandled).toEqual([]);
  }, 90_000);

  it('applies the commit pushed during the outage once Redis is back, empty', async () => {
    const r = await synced();
    const { sha } = await outage(r);
    const restartedAt = Date.now();
    await startRedis();
    expect(await dbSize()).toBe(0);
    const status = await appliedStatus(r, sha, 60_000);
    const recoveredMs = Date.now() - restartedAt;
    expect(status.description).toBe('applied 1, deleted 0');
    expect(await r.policies()).toEqual(['allow-ssh', 'allow-web']);
    // One apply at a time across workers holds again in the new, empty Redis.
    expect(await globalConcurrency(r)).toBe(1);
    expect(unhandled).toEqual([]);
    await ledger(r, 'Redis down, then restarted empty', sha, 'allow-web');
    // Not a timing assertion: printed for the report.
    console.info(`recovered ${recoveredMs} ms after Redis came back`);
  }, 150_000);

  it('a Redis crash in the middle of an apply loses neither the change nor its report', async () => {
    const r = await synced();
    const sha = await r.work.commitAndPush({ files: { 'allow-ntp.yaml': samplePolicyYaml('allow-ntp', { order: 40 }) }, message: 'add ntp policy' });
    // SIGKILL at the exact moment the worker starts applying this commit: the job, its lock and the
    // queue vanish while the calicoctl pod goes on.
    let crashed: Promise<void> | undefined;
    r.onLog = (entry) => {
      if (crashed || entry.msg !== 'applying plan' || entry.revision !== sha) return;
      crashed = killRedis();
    };
    try {
      await eventually('the worker to start applying', async () => (crashed ? true : undefined), { timeoutMs: 30_000 });
    } finally {
      r.onLog = undefined;
    }
    await crashed;
    await eventually('the policy in the cluster', async () => ((await r.policies()).includes('allow-ntp') ? true : undefined), { timeoutMs: 30_000 });
    // The agent's own view of the cluster has it too, so its next plan finds nothing to do.
    await eventually('the policy in the agent live view', async () => ([...(r.agent?.live.list() ?? [])].some((x) => x.key.endsWith('allow-ntp')) ? true : undefined));
    await startRedis();

    // The job and its result went with Redis: the controller, the one writer of the apply status,
    // reports what the cluster shows.
    const status = await appliedStatus(r, sha, 30_000);
    expect(status.description).toBe('in sync: 2 resources');
    expect(await r.policies()).toEqual(['allow-ntp', 'allow-ssh']);
    await ledger(r, 'Redis SIGKILLed mid-apply, restarted empty', sha, 'allow-ntp');

    // The worker that lost its job mid-apply still takes the next one.
    const next = await r.work.commitAndPush({ files: { 'allow-icmp.yaml': samplePolicyYaml('allow-icmp', { order: 50 }) }, message: 'add icmp policy' });
    const nextStatus = await appliedStatus(r, next);
    expect(nextStatus.description).toBe('applied 1, deleted 0');
    expect(await r.policies()).toEqual(['allow-icmp', 'allow-ntp', 'allow-ssh']);
    expect(await globalConcurrency(r)).toBe(1);
    expect(unhandled).toEqual([]);
  }, 150_000);

  it('keeps cycling while Redis hangs without refusing connections, and applies once it answers again', async () => {
    const r = await synced();
    const server = redis;
    if (!server) throw new Error('Redis is not running');
    // SIGSTOP: connections stay open but nothing answers, like a frozen node or a network partition.
    // afterEach sends SIGCONT should an assertion fail while it is stopped.
    server.child.kill('SIGSTOP');
    const sha = await r.work.commitAndPush({ files: { 'allow-bgp.yaml': samplePolicyYaml('allow-bgp', { order: 60 }) }, message: 'add bgp policy' });
    await twoFailedCycles(r, sha, 'two failed cycles while Redis hangs', 40_000);
    expect(await r.policies()).toEqual(['allow-ssh']);
    server.child.kill('SIGCONT');
    const status = await appliedStatus(r, sha);
    expect(status.description).toBe('applied 1, deleted 0');
    expect(await r.policies()).toEqual(['allow-bgp', 'allow-ssh']);
    await ledger(r, 'Redis hung (SIGSTOP) during a sync', sha, 'allow-bgp');
    expect(unhandled).toEqual([]);
  }, 150_000);

  it('never logs the Redis password, not even in the errors an outage causes', async () => {
    const r = await synced();
    const { sha, killedAt } = await outage(r);
    await startRedis();
    await appliedStatus(r, sha, 60_000);
    // The outage's errors name Redis (where a URL with its password could leak) and were logged.
    expect(errorsSince(r, killedAt)).toContainEqual(expect.stringContaining(`Redis at 127.0.0.1:${port}`));
    expect(r.logs.join('\n')).not.toContain(PASSWORD);
  }, 150_000);
});
