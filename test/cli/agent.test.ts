// `calico-gitops agent` as a real process: config errors at boot, readiness, /status and /metrics,
// an apply reported in Redis, and a graceful SIGTERM that releases the Lease.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, samplePolicyYaml } from '../support/git-fixtures.js';
import { CLI_MAIN, spawnCli, TSX, type CliProcess } from '../support/cli.js';
import { dropClusterKeys, eventually as waitFor, freePort } from '../support/agent-harness.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const MAIN = CLI_MAIN;
const run = promisify(execFile);

let sim: KubeSim;
let installed: InstalledAgent;
// One process each (spawnCli: node with tsx's loader), so stopping them leaves no grandchild behind.
let child: CliProcess | undefined;
let workerChild: CliProcess | undefined;
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
  await Promise.all([child?.stop(1_000), workerChild?.stop(1_000)]);
  await dropClusterKeys(redis, cluster);
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
    // As deploy/ runs it: the controller (--workers 0) under its own identity, which cannot create
    // pods, and a worker process under the worker identity, which runs the executor pods.
    child = spawnCli(['agent', '--repo', remote.url, '--kubeconfig', installed.controllerKubeconfig, '--workers', '0', '--cluster', cluster, '--listen', `127.0.0.1:${port}`, '--poll-interval', '2s'], {
      env: { ...GIT_TEST_ENV, CALICO_GITOPS_LOG_LEVEL: 'info' },
    });
    child.onLine((line) => output.push(`${line}\n`));
    const workerPort = await freePort();
    workerChild = spawnCli(['worker', '--kubeconfig', installed.workerKubeconfig, '--cluster', cluster, '--listen', `127.0.0.1:${workerPort}`], {
      env: { CALICO_GITOPS_LOG_LEVEL: 'info' },
    });
    workerChild.onLine((line) => output.push(`${line}\n`));
    const base = `http://127.0.0.1:${port}`;

    const ready = await eventually('readiness', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 200 ? ((await res.json()) as unknown) : undefined;
    });
    expect(ready).toEqual({ ready: true, checks: { liveSynced: true, redis: true, leaderKnown: true, source: true } });

    const statuses = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
    const applied = await eventually('apply status', async () => {
      const s = (await statuses.listStatuses({ sha })).find((x) => x.context === `calico-gitops/${cluster}/apply` && x.state === 'success');
      return s;
    });
    expect(applied.description).toBe('applied 1, deleted 0');

    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ cluster, leader: true, live: { synced: true } });
    // The worker ran the job: its /metrics count it.
    const metrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    expect(metrics).toMatch(/calico_gitops_sync_duration_seconds_count\{outcome="applied"\} 1/);
    expect(metrics).toMatch(/calico_gitops_step_outcomes_total\{action="create",outcome="ok"\} 1/);
    expect(metrics).toContain(`calico_gitops_last_applied_revision_info{revision="${sha}"} 1`);

    expect(await child.stop()).toBe(0);
    expect(output.join('')).toContain('"msg":"stopped"');
    // The leader gave the Lease up, so a successor need not wait for it to expire.
    const { stdout } = await installed.kubectl(['get', 'lease', `calico-gitops-${cluster}`, '-n', 'calico-gitops', '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(stdout).toBe('');
  });

  const leaseOf = async (name: string) =>
    installed.kubectl(['get', 'lease', `calico-gitops-${name}`, '-n', 'calico-gitops', '-o', 'name']).then(
      (r) => r.stdout.trim(),
      (e: { stderr: string }) => e.stderr,
    );

  it.each([
    ['a missing --webhook-secret-file', (port: number) => ['--listen', `127.0.0.1:${port}`, '--webhook-secret-file', '/nonexistent/secret'], /--webhook-secret-file \/nonexistent\/secret does not exist/],
    ['a busy --listen port', (port: number) => ['--listen', `127.0.0.1:${port}`], /--listen 127\.0\.0\.1:\d+: the address is already in use/],
    ['a malformed --listen', () => ['--listen', 'localhost'], /--listen must be \[HOST\]:PORT/],
  ])('exits 1 with nothing running on %s, and never takes the Lease', async (_what, args, message) => {
    const name = `start-${randomBytes(3).toString('hex')}`;
    const { remote } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    // Holds the port for the busy case; the other cases ignore it.
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as AddressInfo).port)));
    try {
      const err = await run(TSX, [MAIN, 'agent', '--repo', remote.url, '--kubeconfig', installed.agentKubeconfig, '--cluster', name, '--poll-interval', '1s', ...args(port)], {
        env: { ...process.env, ...GIT_TEST_ENV },
        timeout: 60_000,
      }).catch((e: { code: number; stderr: string }) => e);
      // The process ended by itself (a Lease holder or a worker would keep it alive) with status 1.
      expect(err).toMatchObject({ code: 1 });
      expect((err as { stderr: string }).stderr).toMatch(message);
      expect((err as { stderr: string }).stderr).not.toContain('"msg":"starting"');
      expect(await leaseOf(name)).toMatch(/NotFound/);
    } finally {
      blocker.close();
    }
  });

  it('the worker serves /healthz, /readyz (Redis and the API server) and /metrics', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const worker = spawn(TSX, [MAIN, 'worker', '--kubeconfig', installed.agentKubeconfig, '--cluster', `w-${randomBytes(3).toString('hex')}`, '--listen', `127.0.0.1:${port}`], {
      env: { ...process.env, CALICO_GITOPS_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
    try {
      const base = `http://127.0.0.1:${port}`;
      const ready = await waitFor('worker readiness', async () => {
        const res = await fetch(`${base}/readyz`);
        return res.status === 200 ? ((await res.json()) as unknown) : undefined;
      }, { context: () => lines.join('') });
      expect(ready).toEqual({ ready: true, checks: { redis: true, apiServer: true } });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('calico_gitops_sync_duration_seconds');
      // A worker takes no webhooks.
      expect((await fetch(`${base}/hooks/git`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
  });

  it('never prints the token of a --repo https://user:token@… URL', async () => {
    const token = `tok${randomBytes(8).toString('hex')}`;
    const dead = await freePort();
    const lines: string[] = [];
    const agent = spawn(
      TSX,
      [MAIN, 'agent', '--repo', `https://user:${token}@127.0.0.1:${dead}/p.git`, '--kubeconfig', installed.agentKubeconfig, '--cluster', `r-${randomBytes(3).toString('hex')}`, '--listen', '127.0.0.1:0', '--workers', '0', '--poll-interval', '1s'],
      { env: { ...process.env, ...GIT_TEST_ENV, CALICO_GITOPS_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
    agent.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
    try {
      // The starting line and a failed fetch of that URL, both of which name it.
      await waitFor('a failed fetch', async () => (/"msg":"starting"/.test(lines.join('')) && /source failed/.test(lines.join('')) ? true : undefined), { context: () => lines.join('') });
      const text = lines.join('');
      expect(text).toContain(`https://***@127.0.0.1:${dead}/p.git`);
      expect(text).not.toContain(token);
    } finally {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
  });
});
