// The HTTPS token path over real smart HTTP (git http-backend): the token travels only as an
// Authorization header and never appears in URLs, the mirror's config, errors or logs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../agent/domain/errors.js';
import { GitSource } from '../../agent/source/git-source.js';
import { cleanupGitFixtures, GIT_TEST_ENV, makeTempDir } from '../support/git-fixtures.js';
import { captureLogger } from './capture-logger.js';
import { basicFor, startTokenRepo, type GitHttpServer } from './git-http-server.js';

const TOKEN = 'ghp_TESTTOKEN0123456789abcdef';
const BASIC = basicFor(TOKEN);

let server: GitHttpServer;
let url: string;
let sha: string;

beforeAll(async () => {
  ({ server, url, sha } = await startTokenRepo(TOKEN));
});

afterAll(async () => {
  await server.close();
  await cleanupGitFixtures();
});

async function make(token: string, tokenFile?: string) {
  const lines: string[] = [];
  const src = new GitSource({
    url,
    branch: 'main',
    path: '.',
    cacheDir: await makeTempDir('cg-cache-'),
    logger: captureLogger(lines),
    gitEnv: GIT_TEST_ENV,
    timeoutMs: 10_000,
    credentials: tokenFile ? { kind: 'token', tokenFile } : { kind: 'token', token },
  });
  return { src, lines };
}

describe('GitSource over HTTPS-style token auth', () => {
  it('fetches with the token as a header only', async () => {
    const dir = await makeTempDir();
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    const { src, lines } = await make('', tokenFile);
    const result = await src.latest();
    expect(result.snapshot.revision).toBe(sha);
    expect(result.snapshot.files.map((f) => f.path)).toEqual(['a.yaml']);
    const authorized = server.requests.filter((r) => r.authorization === `Basic ${BASIC}`);
    expect(authorized.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => !r.url.includes(TOKEN))).toBe(true);
    const config = await readFile(join(src.mirrorDir, 'config'), 'utf8');
    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(BASIC);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('reports a wrong token as auth without showing it', async () => {
    const wrong = 'ghp_WRONGTOKEN9876543210';
    const { src, lines } = await make(wrong);
    const err = await src.latest().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(e.code).toBe('auth');
    expect(e.disposition).toBe('stalled');
    const text = `${e.message} ${String((e.cause as Error | undefined)?.message)} ${JSON.stringify(e)} ${lines.join('\n')}`;
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));
  });
});
