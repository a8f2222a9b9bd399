// `calico-gitops agent` as a real process: config errors at boot, readiness, /status and /metrics,
// an apply reported in Redis, and a graceful SIGTERM that releases the Lease.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, samplePolicyYaml } from '../support/git-fixtures.js';
import { CLI_MAIN, TSX } from '../support/cli.js';
import { eventually as waitFor, freePort } from '../support/agent-harness.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const MAIN = CLI_MAIN;
const run = promisify(execFile);

let sim: KubeSim;
let installed: InstalledAgent;
let child: ChildProcess | undefined;
let redis: Redis;
const cluster = `cli-${randomBytes(3).toString('hex')}`;
const output: string[] = [];
/** Waits, showing the agent's own output when it times out. */
const eventually = <T>(what: string, fn: () => Promise<T | undefined>) => waitFor(what, fn, { context: () => output.join('') });

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  redis = new Redis();
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  const keys = await redis.keys(`${queuePrefix(cluster)}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await sim?.close();
  await cleanupGitFixtures();
}, 60_000);

describe('calico-gitops agent', () => {
  it('lists every configuration problem at boot and exits 1', async () => {
    const err = await run(TSX, [MAIN, 'agent', '--poll-interval', 'soon', '--workers', 'many'], {
      env: { ...process.env, CALICO_GITOPS_CLUSTER: 'Bad_Name', CALICO_GITOPS_REPO: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    const stderr = (err as { stderr: string }).stderr;
    expect(stderr).toContain('--poll-interval must be a duration such as 30s, 5m or 1h (got "soon")');
    expect(stderr).toContain('--workers must be a whole number from 0 to 64 (got "many")');
    expect(stderr).toContain('CALICO_GITOPS_CLUSTER must be a DNS label');
    expect(stderr).toContain('CALICO_GITOPS_REPO must not be empty');
  });

  it('serves health, applies the repository, and stops gracefully on SIGTERM', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'allow-ssh.yaml': samplePolicyYaml('allow-ssh') });
    const port = await freePort();
    child = spawn(TSX, [MAIN, 'agent', '--repo', remote.url, '--kubeconfig', installed.agentKubeconfig, '--cluster', cluster, '--listen', `127.0.0.1:${port}`, '--poll-interval', '2s'], {
      env: { ...process.env, ...GIT_TEST_ENV, CALICO_GITOPS_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    const base = `http://127.0.0.1:${port}`;

    const ready = await eventually('readiness', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 200 ? ((await res.json()) as unknown) : undefined;
    });
    expect(ready).toEqual({ ready: true, checks: { liveSynced: true, redis: true, leaderKnown: true } });

    const statuses = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
    const applied = await eventually('apply status', async () => {
      const s = (await statuses.listStatuses({ sha })).find((x) => x.context === `calico-gitops/${cluster}/apply` && x.state === 'success');
      return s;
    });
    expect(applied.description).toBe('applied 1, deleted 0');

    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ cluster, leader: true, live: { synced: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/calico_gitops_sync_duration_seconds_count\{outcome="applied"\} 1/);
    expect(metrics).toMatch(/calico_gitops_step_outcomes_total\{action="create",outcome="ok"\} 1/);
    expect(metrics).toContain(`calico_gitops_last_applied_revision_info{revision="${sha}"} 1`);

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.join('')).toContain('"msg":"stopped"');
    // The leader gave the Lease up, so a successor need not wait for it to expire.
    const { stdout } = await installed.kubectl(['get', 'lease', `calico-gitops-${cluster}`, '-n', 'calico-gitops', '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(stdout).toBe('');
  });
});
