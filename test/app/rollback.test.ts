// End to end: audited rollback and history. A real git repository (bare, over file://), the real
// Redis, the simulator with the agent's RBAC from deploy/, the agent polling Git. A commit opens a
// port; `calico-gitops history` names the commit, author and action behind the policy;
// `calico-gitops rollback <sha> --push` makes the revert commit (with its trailer) and the agent
// restores the previous policy, recording `rollback` entries; a conflicting rollback pushes nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { parseRollbackTrailer } from '../../agent/domain/rollback-trailer.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { runCli } from '../support/cli.js';
import { cleanupGitFixtures, createRepoWithFiles, runGit, type Remote, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

let sim: KubeSim;
let installed: InstalledAgent;
let remote: Remote;
let work: WorkRepo;
let agent: AgentProcess;
let redis: Redis;
let config: Config;
let firstSha: string;
let home: string;

function webPolicy(ports: readonly number[]): string {
  return [
    'apiVersion: projectcalico.org/v3',
    'kind: GlobalNetworkPolicy',
    'metadata:',
    '  name: web',
    'spec:',
    '  order: 100',
    "  selector: role == 'web'",
    '  types: [Ingress]',
    '  ingress:',
    '    - action: Allow',
    '      protocol: TCP',
    '      destination:',
    `        ports: [${ports.join(', ')}]`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  const repo = await createRepoWithFiles({ 'policies/web.yaml': webPolicy([80]), 'README.md': '# policies\n' }, { message: 'web: allow 80' });
  remote = repo.remote;
  work = repo.work;
  firstSha = repo.sha;
  home = await mkdtemp(join(tmpdir(), 'cg-rollback-'));
  config = testConfig({
    repo: remote.url,
    path: 'policies',
    cluster: `rb-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    pollInterval: '1s',
  });
  agent = await startTestAgent({ config, logger: pino({ level: 'silent' }), cacheDir: home, controller: true, workers: 1, http: false });
  redis = new Redis(config.redis);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  if (redis && config) {
    await dropClusterKeys(redis, config.cluster);
    redis.disconnect();
  }
  await sim?.close();
  await cleanupGitFixtures();
}, 60_000);

/** The ingress ports of the web policy as the cluster stores it (undefined while absent). */
async function livePorts(): Promise<string | undefined> {
  const { stdout } = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-o', 'json']);
  const list = JSON.parse(stdout) as { items: { metadata: { name: string }; spec: { ingress?: { destination?: { ports?: unknown[] } }[] } }[] };
  const web = list.items.find((i) => /(^|\.)web$/.test(i.metadata.name));
  return web ? JSON.stringify(web.spec.ingress?.[0]?.destination?.ports ?? []) : undefined;
}

const cliEnv = () => ({ HOME: home, CALICO_GITOPS_CLUSTER: config.cluster, CALICO_GITOPS_REDIS: config.redis, CALICO_GITOPS_REPO: remote.url, CALICO_GITOPS_PATH: 'policies', CALICO_GITOPS_KUBECONFIG: installed.agentKubeconfig });
const cli = (args: string[]) => runCli(args, { env: cliEnv(), timeoutMs: 90_000 });

interface HistoryRow {
  action: string;
  resource: string;
  revision: string;
  author: string;
  subject?: string;
  rollbackOf?: string[];
  beforeHash?: string;
  afterHash?: string;
  message?: string;
  result: string;
}

async function historyOf(resource: string): Promise<HistoryRow[]> {
  const r = await cli(['history', '--resource', resource, '--json']);
  if (r.code !== 0) throw new Error(`history failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as HistoryRow[];
}

let openSha: string;

describe('history and rollback', () => {
  it('history names the commit, author and action behind a policy', async () => {
    await eventually('web applied', async () => ((await livePorts()) === '[80]' ? true : undefined));
    openSha = await work.commitAndPush({ files: { 'policies/web.yaml': webPolicy([80, 8080]) }, message: 'web: open 8080', author: 'Eve Example <eve@example.test>' });
    await eventually('8080 open', async () => ((await livePorts()) === '[80,8080]' ? true : undefined));

    const rows = await eventually('two audit entries', async () => {
      const h = await historyOf('GlobalNetworkPolicy//web');
      return h.length >= 2 ? h : undefined;
    });
    expect(rows.map((r) => [r.action, r.revision, r.author, r.result])).toEqual([
      ['update', openSha, 'Eve Example <eve@example.test>', 'ok'],
      ['create', firstSha, 'Test Author <author@example.test>', 'ok'],
    ]);
    // The table a person reads says the same.
    const table = await cli(['history', '--resource', 'GlobalNetworkPolicy//web']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`update\\s+GlobalNetworkPolicy//web\\s+${openSha.slice(0, 12)}\\s+Eve Example <eve@example.test>`));
  });

  it('rollback without --push shows the plan and pushes nothing', async () => {
    const before = (await remote.heads())['main'];
    const r = await cli(['rollback', openSha]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Revert "web: open 8080"`);
    expect(r.stdout).toContain(`Calico-GitOps-Rollback-Of: ${openSha}`);
    expect(r.stdout).toContain('~ update GlobalNetworkPolicy web');
    expect(r.stdout).toContain('0 to create, 1 to update, 0 to delete');
    expect(r.stdout).toContain('not pushed: run again with --push to push it');
    expect((await remote.heads())['main']).toBe(before);
  });

  it('rollback <sha> --push restores the previous policy through the agent, audited as a rollback', async () => {
    const r = await cli(['rollback', openSha, '--push', '--author', 'Ops Person <ops@example.test>']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const head = (await remote.heads())['main'] ?? '';
    expect(r.stdout).toContain(`pushed ${head.slice(0, 12)} to main`);
    const message = await runGit(['log', '-1', '--format=%B', head], { cwd: remote.dir });
    expect(message.split('\n')[0]).toBe('Revert "web: open 8080"');
    expect(parseRollbackTrailer(message)).toEqual([openSha]);
    expect((await runGit(['log', '-1', '--format=%an <%ae>', head], { cwd: remote.dir })).trim()).toBe('Ops Person <ops@example.test>');

    await eventually('8080 closed again', async () => ((await livePorts()) === '[80]' ? true : undefined));
    const rows = await eventually('the rollback audited', async () => {
      const h = await historyOf('GlobalNetworkPolicy//web');
      return h[0]?.revision === head ? h : undefined;
    });
    expect(rows[0]).toMatchObject({ action: 'rollback', rollbackOf: [openSha], revision: head, author: 'Ops Person <ops@example.test>', subject: 'Revert "web: open 8080"', result: 'ok' });
    expect(rows[0]?.message).toMatch(/^update: /);
    // The spec hash before the rollback is the one the port commit wrote, and after it the first one again.
    const opened = rows.find((row) => row.revision === openSha);
    const created = rows.find((row) => row.revision === firstSha);
    expect(opened).toMatchObject({ action: 'update', subject: 'web: open 8080' });
    expect(rows[0]?.beforeHash).toBe(opened?.afterHash);
    expect(rows[0]?.afterHash).toBe(created?.afterHash);
    expect(opened?.beforeHash).toBe(created?.afterHash);
    // The table names the reverted commit.
    const table = await cli(['history', '--resource', 'GlobalNetworkPolicy//web', '--limit', '1']);
    expect(table.stdout).toContain(`rolls back ${openSha.slice(0, 12)}`);
  });

  it('a conflicting rollback, an unknown sha and a merge of flags are clear errors, and nothing is pushed', async () => {
    await work.git(['pull', '--quiet', '--rebase', 'origin', 'main']);
    await work.commitAndPush({ files: { 'policies/web.yaml': webPolicy([80, 8443]) }, message: 'web: open 8443' });
    const before = (await remote.heads())['main'];

    // The first commit created web.yaml; later commits changed it: reverting it conflicts.
    const conflict = await cli(['rollback', firstSha, '--push']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(new RegExp(`^calico-gitops rollback: reverting ${firstSha.slice(0, 12)} conflicts with later changes on main \\(policies/web.yaml\\): revert it by hand, or use --to; nothing pushed\\n$`));
    expect(conflict.stdout).toBe('');

    const unknown = await cli(['rollback', 'deadbeefdeadbeef', '--push']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('commit deadbeefdeadbeef is not on main of');

    const both = await cli(['rollback', firstSha, '--push', '--dry-run']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--push and --dry-run contradict each other');
    expect((await remote.heads())['main']).toBe(before);
  });

  it('rollback --to <sha> --push returns the policy folder to that commit in one commit naming every later one', async () => {
    const later = (await runGit(['rev-list', `${firstSha}..main`], { cwd: remote.dir })).split('\n').filter(Boolean);
    const r = await cli(['rollback', firstSha, '--to', '--push']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const head = (await remote.heads())['main'] ?? '';
    const message = await runGit(['log', '-1', '--format=%B', head], { cwd: remote.dir });
    expect(message.split('\n')[0]).toBe(`Roll back policies to ${firstSha.slice(0, 12)} "web: allow 80"`);
    expect(parseRollbackTrailer(message)).toEqual(later);
    await eventually('8443 closed', async () => ((await livePorts()) === '[80]' ? true : undefined));
    const rows = await eventually('the rollback audited', async () => {
      const h = await historyOf('GlobalNetworkPolicy//web');
      return h[0]?.revision === head ? h : undefined;
    });
    expect(rows[0]).toMatchObject({ action: 'rollback', rollbackOf: later, result: 'ok' });
  });
});
