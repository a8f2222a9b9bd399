// `npm run demo`: the whole flow on this machine, no cluster needed. It starts the Kubernetes
// simulator (with its emulated calicoctl), installs the agent's RBAC from deploy/, makes a Git
// repository from policies/, runs the agent (controller + a worker) against the real Redis, and
// walks through: first apply → a bad commit rejected with file:line → rollback by `git revert`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startAgentProcess } from '../agent/app/agent-process.js';
import { parseConfig } from '../agent/config/config.js';
import { systemClock } from '../agent/domain/runtime.js';
import { queuePrefix } from '../agent/queue/keys.js';
import { AuditLog } from '../agent/report/audit-log.js';
import { RedisStatusStore, type StoredCommitStatus } from '../agent/report/redis-status-store.js';
import { startCluster } from '../test/kube-sim/index.js';
import { installAgentRbac } from '../test/support/install-agent.js';

const exec = promisify(execFile);
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Platform Team',
  GIT_AUTHOR_EMAIL: 'platform@example.com',
  GIT_COMMITTER_NAME: 'Platform Team',
  GIT_COMMITTER_EMAIL: 'platform@example.com',
};
const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (n: number, text: string) => say(`\n\u001b[1m${n}. ${text}\u001b[0m`);

async function git(cwd: string, args: string[]): Promise<string> {
  return (await exec('git', args, { cwd, env: GIT_ENV })).stdout.trim();
}

async function main(): Promise<void> {
  const redisUrl = process.env['CALICO_GITOPS_REDIS'] ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    process.stderr.write(`demo: Redis is not reachable at ${redisUrl}. Start one, e.g.\n  redis-server --daemonize yes --port 6379 --save ""\n`);
    process.exit(1);
  }

  const work = await mkdtemp(join(tmpdir(), 'calico-gitops-demo-'));
  const cluster = `demo-${randomBytes(3).toString('hex')}`;
  const prefix = queuePrefix(cluster);

  step(1, 'Start a Kubernetes API simulator with Calico and an emulated calicoctl image');
  const sim = await startCluster({ tls: true });
  say(`   API server ${sim.url}, Calico ${sim.calicoVersion}`);
  const installed = await installAgentRbac(sim);
  for (const ns of ['test1', 'test2']) await installed.kubectl(['create', 'namespace', ns]);
  say('   installed deploy/ namespace, ServiceAccounts and least-privilege RBAC; namespaces test1, test2');
  say(`   try it yourself: kubectl --kubeconfig ${installed.adminKubeconfig} get pods -A`);

  step(2, 'Make a Git repository from policies/ and push it');
  const remote = join(work, 'policies.git');
  const repo = join(work, 'checkout');
  await exec('git', ['init', '--bare', '--quiet', '--initial-branch=main', remote], { env: GIT_ENV });
  await exec('git', ['init', '--quiet', '--initial-branch=main', repo], { env: GIT_ENV });
  await cp('policies', join(repo, 'policies'), { recursive: true });
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '--quiet', '-m', 'Calico policies for test1, test2 and worker-1']);
  await git(repo, ['remote', 'add', 'origin', pathToFileURL(remote).href]);
  await git(repo, ['push', '--quiet', 'origin', 'main']);
  const first = await git(repo, ['rev-parse', 'HEAD']);
  say(`   ${pathToFileURL(remote).href} at ${first.slice(0, 12)}`);

  step(3, 'Start calico-gitops (controller + one worker) as the calico-gitops ServiceAccount');
  const parsed = parseConfig({
    flags: {
      repo: pathToFileURL(remote).href,
      path: 'policies',
      cluster,
      kubeconfig: installed.agentKubeconfig,
      redis: redisUrl,
      pollInterval: '2s',
      listen: '127.0.0.1:0',
      workers: '1',
      logLevel: 'error',
    },
    env: {},
  });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  const logger = pino({ level: 'error' }, pino.destination(2));
  const agent = await startAgentProcess({
    config: parsed.config,
    logger,
    clock: systemClock,
    controller: true,
    workers: 1,
    cacheDir: join(work, 'cache'),
    baseEnv: process.env,
    gitEnv: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    fetch: (url, init) => fetch(url, init),
    random: Math.random,
    http: true,
    lease: { durationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
  });
  say(`   agent at ${agent.url} (try ${agent.url}/status and /metrics)`);

  const redis = new Redis(redisUrl);
  const statuses = new RedisStatusStore({ redis, prefix, cluster, clock: systemClock });
  const waitFor = async (sha: string, kind: string, done: (s: StoredCommitStatus) => boolean): Promise<StoredCommitStatus> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = (await statuses.listStatuses({ sha })).find((x) => x.context.endsWith(`/${kind}`));
      if (s && done(s)) return s;
      if (Date.now() > deadline) throw new Error(`no ${kind} status for ${sha.slice(0, 12)} after 60 s`);
      process.stdout.write('.');
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const show = (s: StoredCommitStatus) => say(`\n   ${s.context}  ${s.state}: ${s.description}`);

  try {
    step(4, 'Wait for the first revision to be validated, planned, applied by a calicoctl pod and verified');
    show(await waitFor(first, 'validate', () => true));
    show(await waitFor(first, 'apply', (s) => s.state !== 'pending'));
    const got = await installed.kubectl([
      'get',
      'tiers.crd.projectcalico.org,globalnetworksets.crd.projectcalico.org,globalnetworkpolicies.crd.projectcalico.org,networkpolicies.crd.projectcalico.org,hostendpoints.crd.projectcalico.org',
      '-A',
    ]);
    say('   kubectl get (the CRD objects calicoctl stored):');
    say(got.stdout.replace(/^/gm, '     '));

    step(5, 'Push a commit with a typo in a selector: rejected with file:line, nothing applied');
    const file = join(repo, 'policies/namespaces/test1/isolation.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace("k8s-app == 'kube-dns'", "k8s-app = 'kube-dns'"));
    await git(repo, ['commit', '--quiet', '-am', 'test1: tweak the DNS selector']);
    await git(repo, ['push', '--quiet', 'origin', 'main']);
    const bad = await git(repo, ['rev-parse', 'HEAD']);
    show(await waitFor(bad, 'validate', (s) => s.state === 'failure'));

    step(6, 'Roll back with git revert: the revert is itself validated and applied');
    await git(repo, ['revert', '--no-edit', 'HEAD']);
    await git(repo, ['push', '--quiet', 'origin', 'main']);
    const reverted = await git(repo, ['rev-parse', 'HEAD']);
    show(await waitFor(reverted, 'validate', () => true));
    show(await waitFor(reverted, 'apply', (s) => s.state !== 'pending'));

    step(7, 'Audit trail (Redis stream), newest first');
    const audit = await new AuditLog({ redis, prefix, clock: systemClock }).read({ limit: 20 });
    for (const a of audit) say(`   ${a.time}  ${a.revision.slice(0, 8)}  ${a.action.padEnd(6)} ${a.resource.padEnd(52)} ${a.result}`);
    say('\nDone: the cluster matches the repository. Everything ran on this machine.');
  } finally {
    await agent.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    probe.disconnect();
    await sim.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
