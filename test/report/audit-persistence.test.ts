// The audit must outlive a Redis restart (issue: "the Redis in deploy/ runs with append-only
// persistence on a volume"). A PRIVATE redis-server runs with the arguments of deploy/redis.yaml
// (its data dir a temp dir standing for the volume), is killed and started again on the same
// files, and `calico-gitops history` still shows every entry. The same restart without
// persistence loses them, so the test can tell the difference.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadAll } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog } from '../../agent/report/audit-log.js';
import { freePort } from '../support/agent-harness.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';

interface Container {
  name: string;
  args?: string[];
}

/** The container args of the Redis Deployment in deploy/redis.yaml. */
async function deployedRedisArgs(): Promise<string[]> {
  const docs = loadAll(await readFile(join(REPO_ROOT, 'deploy', 'redis.yaml'), 'utf8')) as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } }[];
  const deployment = docs.find((d) => d.kind === 'Deployment');
  const args = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === 'redis')?.args;
  if (!args) throw new Error('deploy/redis.yaml has no redis container args');
  return args;
}

/** The volume mounted at /data becomes a temp dir, and redis-server checks it for the pod's user. */
function withDataDir(args: readonly string[], dir: string): string[] {
  const out = [...args];
  const at = out.indexOf('--dir');
  if (at >= 0) out[at + 1] = dir;
  else out.push('--dir', dir);
  return out;
}

let server: PrivateRedis | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function writeAudit(port: number, cluster: string): Promise<void> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const audit = new AuditLog({ redis, prefix: queuePrefix(cluster), clock: systemClock, cluster });
    await audit.append([
      { revision: 'a'.repeat(40), author: 'Ann <ann@example.test>', subject: 'open 8080', action: 'update', resource: 'GlobalNetworkPolicy//web', beforeHash: 'h1', afterHash: 'h2', jobId: 'sync-1', result: 'ok' },
      { revision: 'b'.repeat(40), author: 'Bob <bob@example.test>', subject: 'Revert "open 8080"', action: 'rollback', resource: 'GlobalNetworkPolicy//web', beforeHash: 'h2', afterHash: 'h1', jobId: 'sync-2', result: 'ok', rollbackOf: ['a'.repeat(40)] },
    ]);
  } finally {
    redis.disconnect();
  }
}

const history = (port: number, cluster: string) => runCli(['history', '--json', '--cluster', cluster, '--redis', `redis://127.0.0.1:${port}`]);

describe('audit persistence', () => {
  it('deploy/redis.yaml runs Redis append-only on a volume', async () => {
    const args = await deployedRedisArgs();
    expect(args.join(' ')).toContain('--appendonly yes');
    const text = await readFile(join(REPO_ROOT, 'deploy', 'redis.yaml'), 'utf8');
    expect(text).toMatch(/persistentVolumeClaim:\s+claimName: calico-gitops-redis-data/);
  });

  it.each([
    ['a crash (SIGKILL)', 'SIGKILL' as const],
    ['a clean restart (SIGTERM)', 'SIGTERM' as const],
  ])('the audit survives %s of Redis run as deployed', async (_name, signal) => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-redis-aof-'));
    dirs.push(dir);
    const port = await freePort();
    const cluster = `aof-${randomBytes(4).toString('hex')}`;
    const args = withDataDir(await deployedRedisArgs(), dir);
    server = await startPrivateRedis({ port, args });
    await writeAudit(port, cluster);
    await server.stop(signal);
    server = await startPrivateRedis({ port, args });

    const r = await history(port, cluster);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const records = JSON.parse(r.stdout) as { action: string; revision: string; author: string; subject?: string; cluster?: string; rollbackOf?: string[] }[];
    expect(records.map((e) => `${e.action} ${e.revision.slice(0, 4)} ${e.author}`)).toEqual(['rollback bbbb Bob <bob@example.test>', 'update aaaa Ann <ann@example.test>']);
    expect(records[0]).toMatchObject({ cluster, subject: 'Revert "open 8080"', rollbackOf: ['a'.repeat(40)] });
  });

  it('without persistence the same restart loses the audit (what the volume is for)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-redis-noaof-'));
    dirs.push(dir);
    const port = await freePort();
    const cluster = `noaof-${randomBytes(4).toString('hex')}`;
    const args = ['--save', '', '--appendonly', 'no', '--dir', dir];
    server = await startPrivateRedis({ port, args });
    await writeAudit(port, cluster);
    await server.stop('SIGKILL');
    server = await startPrivateRedis({ port, args });
    const r = await history(port, cluster);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
