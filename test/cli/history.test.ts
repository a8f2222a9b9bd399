// `calico-gitops history` end to end: the real CLI in a child process reading the audit stream
// from the real Redis (a random cluster name keeps the keys apart).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog } from '../../agent/report/audit-log.js';
import { runCli } from '../support/cli.js';

const cluster = `hist-${randomBytes(4).toString('hex')}`;
const REDIS = 'redis://127.0.0.1:6379';
let redis: Redis;
interface Entry { readonly action: string; readonly resource: string; readonly cluster: string; readonly jobId: string }
const history = (args: string[]) => runCli(['history', '--cluster', cluster, '--redis', REDIS, ...args]);

beforeAll(async () => {
  redis = new Redis(REDIS);
  const audit = new AuditLog({ redis, prefix: queuePrefix(cluster), clock: systemClock, cluster });
  await audit.append([{ revision: 'a'.repeat(40), author: 'Ann <ann@example.test>', subject: 'allow ssh', action: 'create', resource: 'GlobalNetworkPolicy//allow-ssh', afterHash: 'h1', jobId: 'sync-1', result: 'ok' }]);
  await audit.append([{ revision: 'b'.repeat(40), author: 'Bob <bob@example.test>', subject: 'deny web', action: 'create', resource: 'NetworkPolicy/test1/deny-web', afterHash: 'h2', jobId: 'sync-2', result: 'ok' }]);
  await audit.append([{ revision: 'c'.repeat(40), author: 'Cy <cy@example.test>', subject: 'drop ssh', action: 'delete', resource: 'GlobalNetworkPolicy//allow-ssh', beforeHash: 'h1', jobId: 'sync-3', result: 'failed', message: 'forbidden: no rights' }]);
});
afterAll(async () => {
  await redis.del(`${queuePrefix(cluster)}:audit`);
  redis.disconnect();
});

describe('calico-gitops history', () => {
  it('prints a table, newest first, without colour when not a terminal', async () => {
    const r = await history([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+RESOURCE\s+COMMIT\s+AUTHOR\s+SUBJECT\s+RESULT\s+JOB$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 6))).toEqual([
      ['delete', 'GlobalNetworkPolicy//allow-ssh', 'cccccccccccc', 'Cy <cy@example.test>', 'drop ssh'],
      ['create', 'NetworkPolicy/test1/deny-web', 'bbbbbbbbbbbb', 'Bob <bob@example.test>', 'deny web'],
      ['create', 'GlobalNetworkPolicy//allow-ssh', 'aaaaaaaaaaaa', 'Ann <ann@example.test>', 'allow ssh'],
    ]);
    expect(lines[1]).toContain('failed: forbidden: no rights');
    expect(r.stdout).not.toContain('\u001b[');
  });

  // One CLI run per case: each is a process start, slow on a busy machine.
  it.each<[string, string[], (e: Entry[]) => unknown, unknown]>([
    ['resource', ['--resource', 'GlobalNetworkPolicy//allow-ssh'], (e: Entry[]) => e.map((x) => x.action), ['delete', 'create']],
    ['sha', ['--sha', 'bbbbbbb'], (e: Entry[]) => e.map((x) => [x.resource, x.cluster]), [['NetworkPolicy/test1/deny-web', cluster]]],
    ['count', ['--limit', '1'], (e: Entry[]) => e.map((x) => x.jobId), ['sync-3']],
    ['time', ['--since', '1h'], (e: Entry[]) => e.length, 3],
  ])('filters by %s and prints JSON', async (_what, args, pick, expected) => {
    const r = await history([...args, '--json']);
    expect(r.code).toBe(0);
    expect(pick(JSON.parse(r.stdout) as Entry[])).toEqual(expected);
  });

  it('says when nothing matches', async () => {
    const future = await history(['--since', '2099-01-01T00:00:00Z']);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe(`no audit entries for cluster ${cluster} matching since 2099-01-01T00:00:00.000Z\n`);
  });

  it('refuses a bad filter with exit 1 and says which and why', async () => {
    const r = await history(['--since', 'yesterday', '--resource', 'Pod/x/y']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('calico-gitops history: --resource: unknown kind "Pod"');
    expect(r.stderr).toContain('calico-gitops history: --since must be a duration such as 30m or 2h');
  });

  it('says so when Redis is not reachable', async () => {
    const r = await runCli(['history', '--cluster', cluster, '--redis', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('calico-gitops: Redis is not reachable (--redis / CALICO_GITOPS_REDIS)\n');
  });
});
