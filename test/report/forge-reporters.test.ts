import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusContext, type CommitStatus } from '../../agent/report/commit-status.js';
import { ForgeError } from '../../agent/report/forge-error.js';
import { createForgeReporter, type ForgeStatusReporter } from '../../agent/report/forge-reporters.js';
import { DedupStatusReporter, MapStatusMemory, RedisStatusMemory, type StatusMemory } from '../../agent/report/status-dedup.js';
import { startFakeForge, type FakeForge, type FakeForgeKind } from '../support/fake-forge.js';
import { captureLogger } from '../source/capture-logger.js';
import { connectTestRedis, type TestRedis } from './redis-helper.js';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const TOKENS = { github: 'gh-TOKEN-123456', gitlab: 'gl-TOKEN-123456', gitea: 'gt-TOKEN-123456' } as const;

let forge: FakeForge;
let redis: TestRedis;
beforeAll(async () => {
  forge = await startFakeForge({ tokens: TOKENS, repos: ['acme/policies', 'platform/net/policies'] });
  redis = await connectTestRedis();
});
afterAll(async () => {
  await forge.close();
  await redis.cleanup();
});
afterEach(() => {
  forge.requests.length = 0;
});

const repoOf = (f: FakeForgeKind): string => (f === 'gitlab' ? 'platform/net/policies' : 'acme/policies');
const reporter = (f: FakeForgeKind, token: string = TOKENS[f], repo = repoOf(f)): ForgeStatusReporter =>
  createForgeReporter(f, { apiUrl: forge.apiUrl(f), repo, token, fetch });
const status = (over: Partial<CommitStatus> = {}): CommitStatus => ({
  sha: SHA,
  context: statusContext('prod', 'apply'),
  state: 'success',
  description: 'applied 3, deleted 1',
  targetUrl: 'https://agent.example/status',
  ...over,
});

describe.each([
  ['github', `/repos/acme/policies/statuses/${SHA}`, { authorization: `Bearer ${TOKENS.github}` }, { state: 'failure', context: 'calico-gitops/prod/apply' }],
  ['gitlab', `/projects/platform%2Fnet%2Fpolicies/statuses/${SHA}`, { 'private-token': TOKENS.gitlab }, { state: 'failed', name: 'calico-gitops/prod/apply' }],
  ['gitea', `/repos/acme/policies/statuses/${SHA}`, { authorization: `token ${TOKENS.gitea}` }, { state: 'failure', context: 'calico-gitops/prod/apply' }],
] as const)('%s reporter', (kind, path, headers, body) => {
  it('posts to the documented path with the documented header and body', async () => {
    await reporter(kind).post(status({ state: 'failure', description: 'invalid: policies/a.yaml:12 bad selector' }));
    const [req] = forge.posts(kind);
    expect(req?.path).toBe(path);
    expect(req?.headers).toMatchObject(headers);
    expect(req?.body).toMatchObject({ ...body, description: 'invalid: policies/a.yaml:12 bad selector', target_url: 'https://agent.example/status' });
  });

  it('reads back the newest status per context', async () => {
    const r = reporter(kind);
    await r.post(status({ state: 'pending', description: 'applying' }));
    await r.post(status({ state: 'success', description: 'applied 1' }));
    const latest = await r.latest(SHA);
    expect(latest.get('calico-gitops/prod/apply')).toEqual({ context: 'calico-gitops/prod/apply', state: 'success', description: 'applied 1' });
  });

  it('truncates long descriptions before sending', async () => {
    await reporter(kind).post(status({ description: 'x'.repeat(500) }));
    const [req] = forge.posts(kind);
    expect([...String((req?.body as { description: string }).description)]).toHaveLength(140);
  });

  it('turns a bad token into a stalled error that does not show the token', async () => {
    const err = await reporter(kind, 'wrong-TOKEN-999').post(status()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgeError);
    expect((err as ForgeError).status).toBe(401);
    expect((err as ForgeError).disposition).toBe('stalled');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('wrong-TOKEN-999');
  });

  it('turns an unknown repository into a stalled not-found error', async () => {
    const err = await reporter(kind, TOKENS[kind], 'acme/nope').post(status()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ForgeError', status: 404, code: 'not-found', disposition: 'stalled' });
  });

  it('turns a 5xx into a transient error', async () => {
    forge.failNext(502);
    const err = await reporter(kind).post(status()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ForgeError', status: 502, disposition: 'transient' });
  });
});

it('turns a refused connection into a transient unreachable error', async () => {
  const r = createForgeReporter('github', { apiUrl: 'http://127.0.0.1:9', repo: 'acme/policies', token: 't', fetch });
  const err = await r.post(status()).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'ForgeError', status: 0, code: 'unreachable', disposition: 'transient' });
});

describe.each<[string, () => StatusMemory]>([
  ['in memory', () => new MapStatusMemory()],
  ['in Redis', () => new RedisStatusMemory({ redis: redis.redis, prefix: redis.prefixFor(String(Math.random()).slice(2)) })],
])('DedupStatusReporter with memory %s', (_name, memory) => {
  it.each(['github', 'gitlab', 'gitea'] as const)('%s: a second identical post sends nothing', async (kind) => {
    const sha = randomBytes(20).toString('hex');
    const dedup = new DedupStatusReporter({ reporter: reporter(kind), memory: memory(), logger: captureLogger() });
    await dedup.post(status({ sha, state: 'pending', description: 'applying' }));
    await dedup.post(status({ sha, state: 'pending', description: 'applying' }));
    await dedup.post(status({ sha, state: 'success', description: 'applied 2' }));
    await dedup.post(status({ sha, state: 'success', description: 'applied 2' }));
    await dedup.post(status({ sha, context: statusContext('prod', 'validate'), state: 'success', description: 'applied 2' }));
    expect(forge.posts(kind).map((r) => (r.body as { state: string }).state)).toEqual(['pending', 'success', 'success']);
    expect(dedup.counts).toEqual({ posted: 3, skipped: 2 });
  });
});

it('asks the forge before posting when nothing is remembered (after a restart)', async () => {
  const sha = `e${SHA.slice(1)}`;
  const memory = new RedisStatusMemory({ redis: redis.redis, prefix: redis.prefixFor('restart') });
  await reporter('github').post(status({ sha }));
  forge.requests.length = 0;
  const dedup = new DedupStatusReporter({ reporter: reporter('github'), memory, logger: captureLogger() });
  await dedup.post(status({ sha }));
  expect(forge.posts('github')).toHaveLength(0);
  expect(await memory.get(sha, 'calico-gitops/prod/apply')).toBe('success\napplied 3, deleted 1');
});
