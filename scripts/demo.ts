// `npm run demo`: the whole story on this machine, no cluster needed, in well under a minute, and it
// ends by itself leaving nothing running. It starts the Kubernetes simulator (with its emulated
// calicoctl), installs the agent's RBAC from deploy/, makes a Git repository from policies/, starts a
// local forge-status server (GitHub's commit status API) and the agent (controller + a worker), and
// walks through: first sync applied and reported → a commit opening a port, with its plan → a
// `kubectl edit` by hand: drift status and alert naming who, healed → an invalid commit rejected
// with file:line → `calico-gitops rollback` of the port commit → `calico-gitops history` of that policy
// → `calico-gitops uninstall --yes`: no owned object left, a hand-made one untouched. Redis: 127.0.0.1:6379 (or CALICO_GITOPS_REDIS) when it
// answers, else its own redis-server on a free port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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
import { startCluster } from '../test/kube-sim/index.js';
import { startAlertReceiver } from '../test/support/alert-receiver.js';
import { startFakeForge, type StoredStatus } from '../test/support/fake-forge.js';
import { installAgentRbac } from '../test/support/install-agent.js';

const exec = promisify(execFile);
const GIT_ENV = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Platform Team',
  GIT_AUTHOR_EMAIL: 'platform@example.com',
  GIT_COMMITTER_NAME: 'Platform Team',
  GIT_COMMITTER_EMAIL: 'platform@example.com',
};
const FORGE_REPO = 'platform/policies';
const FORGE_TOKEN = `demo-${randomBytes(8).toString('hex')}`;
const PORT_POLICY = 'NetworkPolicy/test1/allow-same-namespace';
const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (n: number, text: string) => say(`\n\u001b[1m${n}. ${text}\u001b[0m`);
const indent = (text: string) => text.trimEnd().replace(/^/gm, '     ');

async function git(cwd: string, args: string[]): Promise<string> {
  return (await exec('git', args, { cwd, env: GIT_ENV })).stdout.trim();
}

/** The real CLI, as a user types it (`npx calico-gitops …`). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const main = join(import.meta.dirname, '..', 'agent', 'cli', 'main.ts');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...GIT_ENV, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server in the foreground (no persistence), for machines without one. */
async function startOwnRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.once('error', (err) => reject(new Error(`redis-server could not be started (${err.message}); install Redis or set CALICO_GITOPS_REDIS`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function waitUntil<T>(what: string, fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const MARK: Record<string, string> = { success: '✔', failure: '✘', error: '✘', pending: '…' };

async function main(): Promise<void> {
  const started = Date.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    let redisUrl = process.env['CALICO_GITOPS_REDIS'] ?? 'redis://127.0.0.1:6379';
    if (!(await answers(redisUrl))) {
      const own = await startOwnRedis();
      cleanups.unshift(async () => {
        own.child.kill('SIGKILL');
      });
      say(`nothing answers at ${redisUrl}: started redis-server (pid ${own.child.pid ?? '?'}) at ${own.url} for this demo`);
      redisUrl = own.url;
    }
    const work = await mkdtemp(join(tmpdir(), 'calico-gitops-demo-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const cluster = `demo-${randomBytes(3).toString('hex')}`;
    const prefix = queuePrefix(cluster);

    step(1, 'A Kubernetes API simulator with Calico, and the agent installed from deploy/');
    const sim = await startCluster({ tls: true });
    cleanups.unshift(() => sim.close());
    const installed = await installAgentRbac(sim);
    for (const ns of ['test1', 'test2']) await installed.kubectl(['create', 'namespace', ns]);
    // The rest of deploy/ as the cluster keeps it (this process plays the agent's pods), and the
    // identity of the uninstall Job (deploy/uninstall/).
    await installed.kubectl(['apply', '-n', 'calico-gitops', '-f', 'deploy/config.yaml', '-f', 'deploy/agent.yaml', '-f', 'deploy/worker.yaml', '-f', 'deploy/uninstall/rbac.yaml']);
    say(`   API server ${sim.url}, Calico ${sim.calicoVersion}; namespaces test1, test2`);

    step(2, 'A Git repository made from policies/, and a forge that receives commit statuses');
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
    const forge = await startFakeForge({ tokens: { github: FORGE_TOKEN }, repos: [FORGE_REPO] });
    cleanups.unshift(() => forge.close());
    const tokenFile = join(work, 'forge-token');
    await writeFile(tokenFile, FORGE_TOKEN);
    const alerts = await startAlertReceiver();
    cleanups.unshift(() => alerts.close());
    const alertFile = join(work, 'alert-url');
    await writeFile(alertFile, alerts.url);
    say(`   ${pathToFileURL(remote).href} at ${first.slice(0, 12)}; forge ${forge.apiUrl('github')} (GitHub status API)`);

    const flags = { repo: pathToFileURL(remote).href, path: 'policies', cluster, kubeconfig: installed.agentKubeconfig, redis: redisUrl };
    const parsed = parseConfig({
      flags: { ...flags, pollInterval: '1s', listen: '127.0.0.1:0', workers: '1', logLevel: 'error', forge: 'github', forgeUrl: forge.apiUrl('github'), forgeTokenFile: tokenFile, forgeRepo: FORGE_REPO, alertWebhookFile: alertFile },
      env: {},
    });
    if (!parsed.ok) throw new Error(parsed.issues.map((p) => p.message).join('\n'));
    const agent = await startAgentProcess({
      config: parsed.config,
      logger: pino({ level: process.env['DEMO_LOG_LEVEL'] ?? 'error' }, pino.destination(2)),
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
    let stopping: Promise<void> | undefined;
    const stopAgent = (): Promise<void> => (stopping ??= agent.stop());
    cleanups.unshift(async () => {
      await stopAgent();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    const cliFlags = ['--cluster', cluster, '--redis', redisUrl];

    /** Waits until the forge shows `kind` for the commit in a final state, then prints the commit's statuses. */
    const statusesOf = async (sha: string, kinds: readonly string[], final = (s: StoredStatus) => s.state !== 'pending'): Promise<StoredStatus[]> => {
      const deadline = Date.now() + 45_000;
      for (;;) {
        const latest = new Map<string, StoredStatus>();
        for (const s of forge.statuses('github', FORGE_REPO, sha)) latest.set(s.context, s);
        const wanted = kinds.map((k) => latest.get(`calico-gitops/${cluster}/${k}`));
        if (wanted.every((s) => s !== undefined && final(s))) {
          say(`   commit ${sha.slice(0, 12)} on the forge:`);
          for (const s of latest.values()) say(`     ${MARK[s.state] ?? '?'} ${s.context}  ${s.state}: ${s.description}`);
          return [...latest.values()];
        }
        if (Date.now() > deadline) throw new Error(`no final ${kinds.join('/')} status for ${sha.slice(0, 12)} after 45 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const policy = async (): Promise<string> => (await installed.kubectl(['get', 'networkpolicies.crd.projectcalico.org', '-n', 'test1', 'default.allow-same-namespace', '-o', 'json'])).stdout;

    step(3, 'The first sync: validated, planned, applied by a calicoctl pod, verified, reported');
    await statusesOf(first, ['validate', 'apply']);
    const got = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org,networkpolicies.crd.projectcalico.org,hostendpoints.crd.projectcalico.org', '-A']);
    say(indent(got.stdout));

    step(4, 'A commit that opens port 8443 in test1: its plan, then applied');
    const file = join(repo, 'policies/namespaces/test1/isolation.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('  ingress:\n', '  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: [8443]\n'));
    const plan = await cli(['plan', '--dir', join(repo, 'policies'), '--kubeconfig', installed.agentKubeconfig]);
    say(`   $ calico-gitops plan --dir policies   (exit ${plan.code}: changes pending)`);
    say(indent(plan.out));
    await git(repo, ['commit', '--quiet', '-am', 'test1: open 8443 for the metrics scraper']);
    await git(repo, ['push', '--quiet', 'origin', 'main']);
    const portSha = await git(repo, ['rev-parse', 'HEAD']);
    await statusesOf(portSha, ['validate', 'apply']);
    say(`   port 8443 in the cluster: ${(await policy()).includes('8443') ? 'open' : 'closed'}`);

    step(5, 'A hand edit with kubectl edit: drift status and alert naming who did it, healed from Git');
    const editor = join(work, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/^  order: 100$/  order: 50/" "$1"\n', { mode: 0o755 });
    await exec('kubectl', ['--kubeconfig', installed.adminKubeconfig, 'edit', 'networkpolicies.crd.projectcalico.org', '-n', 'test1', 'default.allow-same-namespace'], { env: { ...process.env, KUBE_EDITOR: editor } });
    say('   $ kubectl edit networkpolicy.crd.projectcalico.org/default.allow-same-namespace -n test1   (order 100 → 50)');
    await statusesOf(portSha, ['drift'], (s) => s.state === 'failure');
    const firing = await waitUntil('a firing drift alert', () => alerts.bodies.find((b) => (b as { state?: string }).state === 'firing'));
    say(`   alert: ${JSON.stringify(firing)}`);
    say('   healed:');
    await statusesOf(portSha, ['drift'], (s) => s.state === 'success');
    const healRedis = new Redis(redisUrl);
    const heal = await waitUntil('the heal in the audit', async () => (await new AuditLog({ redis: healRedis, prefix, clock: systemClock }).read({ limit: 20, resource: PORT_POLICY })).find((a) => a.action === 'heal'));
    healRedis.disconnect();
    say(`   audit: heal of ${heal.resource} (changed by ${heal.fieldManager ?? '?'}), order back to ${/"order":\s*(\d+)/.exec(await policy())?.[1] ?? '?'}`);

    step(6, 'An invalid commit (a typo in a selector): rejected with file:line, nothing applied');
    const before = await policy();
    const current = await readFile(file, 'utf8');
    await writeFile(file, current.replace("k8s-app == 'kube-dns'", "k8s-app = 'kube-dns'"));
    await git(repo, ['commit', '--quiet', '-am', 'test1: tweak the DNS selector']);
    await git(repo, ['push', '--quiet', 'origin', 'main']);
    const bad = await git(repo, ['rev-parse', 'HEAD']);
    const badStatuses = await statusesOf(bad, ['validate']);
    const applied = badStatuses.some((s) => s.context.endsWith('/apply'));
    say(`   apply status: ${applied ? 'posted' : 'none'}; policy in the cluster ${(await policy()) === before ? 'unchanged' : 'CHANGED'}`);
    await git(repo, ['revert', '--no-edit', 'HEAD']);
    await git(repo, ['push', '--quiet', 'origin', 'main']);
    const fixed = await git(repo, ['rev-parse', 'HEAD']);
    say('   fixed by reverting the typo:');
    await statusesOf(fixed, ['validate', 'apply']);

    step(7, `calico-gitops rollback ${portSha.slice(0, 12)} --push: the port is closed again, by a reviewed commit`);
    const rollback = await cli(['rollback', portSha, '--push', '--repo', flags.repo, '--path', 'policies', '--kubeconfig', installed.agentKubeconfig, '--reason', 'the scraper moved to the service mesh']);
    say(indent(rollback.out));
    if (rollback.code !== 0) throw new Error(`rollback exited ${rollback.code}`);
    await git(repo, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
    const rollbackSha = await git(repo, ['rev-parse', 'HEAD']);
    await statusesOf(rollbackSha, ['validate', 'apply']);
    say(`   port 8443 in the cluster: ${(await policy()).includes('8443') ? 'open' : 'closed'}`);

    step(8, `calico-gitops history --resource ${PORT_POLICY}`);
    const history = await cli(['history', '--resource', PORT_POLICY, ...cliFlags]);
    say(indent(history.out));
    const redis = new Redis(redisUrl);
    const audit = await new AuditLog({ redis, prefix, clock: systemClock }).read({ limit: 100, resource: PORT_POLICY });
    redis.disconnect();
    const rolled = audit.find((a) => a.revision === rollbackSha);
    const marks = rolled?.rollbackOf?.length ? `, marked as a rollback of ${rolled.rollbackOf.map((s) => s.slice(0, 12)).join(', ')}` : ' (the entry does not mark it as a rollback)';
    say(`   the rollback commit is audited: ${rolled ? `${rolled.action} by ${rolled.revision.slice(0, 12)}${marks}` : 'NOT FOUND'}`);

    step(9, 'calico-gitops uninstall --yes: every object the agent owns deleted, then the agent; a hand-made NetworkSet untouched');
    const handMade = join(work, 'hand-made.json');
    await writeFile(handMade, JSON.stringify({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkSet', metadata: { name: 'hand-made', namespace: 'test2' }, spec: { nets: ['198.51.100.0/24'] } }));
    await installed.kubectl(['apply', '-f', handMade]);
    const uninstallKubeconfig = join(work, 'uninstall.kubeconfig');
    await sim.writeKubeconfig(uninstallKubeconfig, { serviceAccount: { namespace: 'calico-gitops', name: 'calico-gitops-uninstall' } });
    // The agent runs in this process: it stops when its Deployment is deleted, as its pods would.
    let uninstalling = true;
    const agentGone = (async () => {
      while (uninstalling) {
        const found = await installed.kubectl(['get', 'deployment', 'calico-gitops-agent', '-n', 'calico-gitops', '-o', 'name']).then(() => true, () => false);
        if (!found) return stopAgent();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const uninstall = await cli(['uninstall', '--yes', ...cliFlags, '--kubeconfig', uninstallKubeconfig]);
    uninstalling = false;
    await agentGone;
    say(indent(uninstall.out));
    if (uninstall.code !== 0) throw new Error(`uninstall exited ${uninstall.code}`);
    const kinds = 'tiers,globalnetworksets,networksets,globalnetworkpolicies,networkpolicies,hostendpoints'.split(',').map((k) => `${k}.crd.projectcalico.org`).join(',');
    const left = JSON.parse((await installed.kubectl(['get', kinds, '-A', '-o', 'json'])).stdout) as { items: { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } }[] };
    const owned = left.items.filter((i) => i.metadata.annotations?.['calico-gitops.io/owner'] !== undefined);
    say(`   owned objects left in the cluster: ${owned.length}`);
    const kept = left.items.filter((i) => i.metadata.annotations?.['calico-gitops.io/owner'] === undefined).map((i) => `${i.kind} ${i.metadata.namespace ? `${i.metadata.namespace}/` : ''}${i.metadata.name}`);
    say(`   not ours, untouched: ${kept.join(', ') || 'nothing'}`);
    const agentLeft = await installed.kubectl(['get', 'deployment/calico-gitops-agent', 'serviceaccount/calico-gitops-executor', '-n', 'calico-gitops', '-o', 'name']).then(() => 'still there', () => 'gone');
    const redisLeft = new Redis(redisUrl);
    const keysLeft = (await redisLeft.keys(`${prefix}*`)).length;
    redisLeft.disconnect();
    say(`   the agent's Deployments and ServiceAccounts: ${agentLeft}; Redis keys of the cluster: ${keysLeft}`);

    say(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: the agent and everything it owned are gone, the rest untouched. Everything ran on this machine and is stopped now.`);
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
