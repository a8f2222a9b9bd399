// The HTTPS token must never be on a git command line: argv is readable by every process in the
// container (`ps`, /proc/<pid>/cmdline), the environment only by the same user. A wrapper `git`
// first on PATH records every argv the agent runs and then execs the real git.
import { constants } from 'node:fs';
import { access, chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRunner, type GitConfigEntry } from '../../agent/source/git-runner.js';
import { GitSource } from '../../agent/source/git-source.js';
import { revertCommits } from '../../agent/source/revert.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, makeTempDir, runGit, samplePolicyYaml } from '../support/git-fixtures.js';
import { captureLogger } from './capture-logger.js';
import { basicFor, startGitHttpServer, startTokenRepo, type GitHttpServer } from './git-http-server.js';

const TOKEN = 'ghp_ARGVTOKEN0123456789abcdef';
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

async function realGit(): Promise<string> {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, 'git');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new Error('git not found on PATH');
}

/** A PATH whose `git` appends its argv (one line per run) to the returned log file. */
async function recordingPath(): Promise<{ path: string; log: string }> {
  const dir = await makeTempDir('cg-argv-');
  const log = join(dir, 'argv.log');
  await writeFile(log, '');
  const wrapper = join(dir, 'git');
  await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${await realGit()}' "$@"\n`);
  await chmod(wrapper, 0o755);
  return { path: `${dir}${delimiter}${process.env['PATH'] ?? '/usr/bin:/bin'}`, log };
}

async function recorded(log: string): Promise<string[]> {
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

describe('git command lines', () => {
  it('a token fetch succeeds while no recorded argv holds the token or its Basic encoding', async () => {
    const { path, log } = await recordingPath();
    const src = new GitSource({
      url,
      branch: 'main',
      path: '.',
      cacheDir: await makeTempDir('cg-cache-'),
      logger: captureLogger([]),
      baseEnv: { PATH: path },
      gitEnv: GIT_TEST_ENV,
      timeoutMs: 10_000,
      credentials: { kind: 'token', token: TOKEN },
    });
    const result = await src.latest();
    expect(result.snapshot.revision).toBe(sha);
    expect(result.snapshot.files.map((f) => f.path)).toEqual(['a.yaml']);
    expect(server.requests.some((r) => r.authorization === `Basic ${BASIC}`)).toBe(true);

    // latest() fetches straight away; the head check (a follower's readiness probe) is the other network command.
    expect(await src.headRevision()).toBe(sha);
    const lines = await recorded(log);
    // The wrapper really saw the network commands and the blob reads.
    for (const command of ['ls-remote', 'fetch', 'cat-file']) {
      expect(lines.some((l) => l.split(' ').includes(command))).toBe(true);
    }
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(BASIC);
      expect(line).not.toContain('extraHeader');
    }
  });

  it('a rollback fetches and pushes with the token while no recorded argv holds it', async () => {
    const { remote, work } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') }, { message: 'add a' });
    const b = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') }, message: 'add b' });
    const pushServer = await startGitHttpServer({ root: dirname(remote.dir), authorization: `Basic ${BASIC}` });
    try {
      const { path, log } = await recordingPath();
      const result = await revertCommits({
        url: `${pushServer.baseUrl}/repo.git`,
        credentials: { kind: 'token', token: TOKEN },
        branch: 'main',
        shas: [b],
        author: { name: 'Rollback Bot', email: 'bot@example.test' },
        push: true,
        baseEnv: { PATH: path },
        gitEnv: GIT_TEST_ENV,
        timeoutMs: 10_000,
      });
      expect((await remote.heads())['main']).toBe(result.sha);
      const lines = await recorded(log);
      expect(lines.some((l) => l.split(' ').includes('push'))).toBe(true);
      expect(lines.join('\n')).not.toContain(TOKEN);
      expect(lines.join('\n')).not.toContain(BASIC);
    } finally {
      await pushServer.close();
    }
  });

  it('the recorder does catch a header passed with -c (control)', async () => {
    const { path, log } = await recordingPath();
    const runner = new GitRunner({
      cwd: await makeTempDir(),
      baseEnv: { PATH: path },
      gitEnv: GIT_TEST_ENV,
      timeoutMs: 10_000,
      config: [`http.extraHeader=Authorization: Basic ${BASIC}`],
    });
    await runner.raw(['ls-remote', url, 'refs/heads/main']);
    expect((await recorded(log)).join('\n')).toContain(BASIC);
  });
});

describe('GitRunner envConfig', () => {
  it.each<[string, Record<string, string>, GitConfigEntry[], Record<string, string>]>([
    ['alone', {}, [{ key: 'http.extraHeader', value: 'X-Test: one' }], { 'http.extraHeader': 'X-Test: one' }],
    [
      'after entries the caller already set',
      { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'From Env' },
      [{ key: 'http.extraHeader', value: 'X-Test: two' }],
      { 'user.name': 'From Env', 'http.extraHeader': 'X-Test: two' },
    ],
    ['none', { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'Kept' }, [], { 'user.name': 'Kept' }],
  ])('%s', async (_name, gitEnv, envConfig, expected) => {
    const cwd = await makeTempDir();
    await runGit(['init', '--quiet'], { cwd });
    const runner = new GitRunner({ cwd, gitEnv: { ...GIT_TEST_ENV, ...gitEnv }, envConfig, timeoutMs: 10_000 });
    for (const [key, value] of Object.entries(expected)) {
      expect((await runner.raw(['config', '--get', key])).trim()).toBe(value);
    }
  });
});
