// The source and report parts together: a push, a signed webhook, one fetch over token-authenticated
// smart HTTP, one snapshot, and commit statuses on the fake forge; a repeated webhook changes
// nothing and posts nothing.
import { createHmac } from 'node:crypto';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusContext } from '../../agent/report/commit-status.js';
import { createForgeReporter } from '../../agent/report/forge-reporters.js';
import { DedupStatusReporter, RedisStatusMemory } from '../../agent/report/status-dedup.js';
import { statusPortFor } from '../../agent/report/status-port.js';
import { GitSource, type SourceResult } from '../../agent/source/git-source.js';
import { checkWebhook } from '../../agent/source/webhook-check.js';
import { connectTestRedis, type TestRedis } from '../report/redis-helper.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, makeTempDir, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { captureLogger } from './capture-logger.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';

const GIT_TOKEN = 'git-TOKEN-abcdef123456';
const FORGE_TOKEN = 'forge-TOKEN-abcdef123456';
const HOOK_SECRET = 'hook-SECRET-abcdef';

let git: GitHttpServer;
let forge: FakeForge;
let redis: TestRedis;
let work: WorkRepo;
let url = '';

beforeAll(async () => {
  const repo = await createRepoWithFiles({ 'policies/a.yaml': samplePolicyYaml('a') });
  work = repo.work;
  git = await startGitHttpServer({ root: dirname(repo.remote.dir), authorization: `Basic ${Buffer.from(`x-access-token:${GIT_TOKEN}`).toString('base64')}` });
  url = `${git.baseUrl}/repo.git`;
  forge = await startFakeForge({ tokens: { github: FORGE_TOKEN } });
  redis = await connectTestRedis();
});
afterAll(async () => {
  await git.close();
  await forge.close();
  await redis.cleanup();
  await cleanupGitFixtures();
});

function webhook(sha: string): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { full_name: 'acme/policies' } });
  return { body, headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${createHmac('sha256', HOOK_SECRET).update(body).digest('hex')}` } };
}

describe('push → webhook → snapshot → status', () => {
  it('fetches once per change and posts each status once', async () => {
    const lines: string[] = [];
    const logger = captureLogger(lines);
    const source = new GitSource({ url, branch: 'main', path: 'policies', cacheDir: await makeTempDir(), logger, gitEnv: GIT_TEST_ENV, credentials: { kind: 'token', token: GIT_TOKEN } });
    const statuses = statusPortFor({
      cluster: 'prod',
      reporter: new DedupStatusReporter({
        reporter: createForgeReporter('github', { apiUrl: forge.apiUrl('github'), repo: 'acme/policies', token: FORGE_TOKEN, fetch }),
        memory: new RedisStatusMemory({ redis: redis.redis, prefix: redis.prefix }),
        logger,
      }),
    });
    // What the controller does on each webhook: ask the source for the latest revision; only a
    // changed head means a fetch and a new snapshot.
    const seen: SourceResult[] = [];
    const onWebhook = async (): Promise<void> => {
      const r = await source.latest();
      if (!r.changed) return;
      seen.push(r);
      await statuses.post({ sha: r.snapshot.revision, kind: 'validate', state: 'success', description: `valid: ${r.snapshot.files.length} file(s)` });
    };
    await source.latest();
    seen.length = 0;
    git.requests.length = 0;

    const sha = await work.commitAndPush({ files: { 'policies/b.yaml': samplePolicyYaml('b') }, message: 'add b' });
    for (let i = 0; i < 3; i++) {
      const hook = webhook(sha);
      const verdict = checkWebhook({ ...hook, secret: HOOK_SECRET, branch: 'main' });
      expect(verdict).toMatchObject({ ok: true, relevant: true, after: sha });
      await onWebhook();
    }
    const forged = checkWebhook({ ...webhook(sha), secret: 'wrong', branch: 'main' });
    expect(forged.ok).toBe(false);

    expect(seen.map((r) => r.snapshot.revision)).toEqual([sha]);
    expect(seen[0]?.snapshot.files.map((f) => f.path)).toEqual(['policies/a.yaml', 'policies/b.yaml']);
    expect(forge.statuses('github', 'acme/policies', sha)).toMatchObject([{ state: 'success', context: statusContext('prod', 'validate'), description: 'valid: 2 file(s)' }]);
    // Protocol v2: every git session is GET info/refs + POST ls-refs (+ POST fetch when objects are
    // missing). Three webhooks, three fetch sessions, objects fetched ONCE: 3 sessions, 4 POSTs
    // (the two repeats end after ls-refs); every request carried the header.
    expect(git.requests.filter((r) => r.method === 'GET' && r.url.includes('service=git-upload-pack'))).toHaveLength(3);
    expect(git.requests.filter((r) => r.method === 'POST')).toHaveLength(4);
    expect(git.requests.every((r) => r.authorization !== undefined && !r.url.includes(GIT_TOKEN))).toBe(true);
    expect(lines.join('\n')).not.toContain(GIT_TOKEN);
    expect(lines.join('\n')).not.toContain(FORGE_TOKEN);
  });
});
