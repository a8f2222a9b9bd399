// The mirror's long-lived `git cat-file --batch-command`: it must see objects a later fetch adds
// (loose, and in a pack kept because the push was larger than unpackLimit), start again after it
// exits, and leave no process behind once closed.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitEnvironment } from '../../agent/source/git-runner.js';
import { ObjectStore } from '../../agent/source/object-store.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, makeTempDir, runGit, samplePolicyYaml } from '../support/git-fixtures.js';
import { processesIn } from './git-processes.js';

afterAll(cleanupGitFixtures);

async function mirrorOf(url: string): Promise<{ dir: string; fetch: () => Promise<void> }> {
  const dir = await makeTempDir('cg-mirror-');
  await runGit(['init', '--bare', '--quiet', '.'], { cwd: dir });
  const fetch = async (): Promise<void> => {
    await runGit(['fetch', '--quiet', '--no-tags', url, '+refs/heads/main:refs/heads/main'], { cwd: dir });
  };
  await fetch();
  return { dir, fetch };
}

function storeFor(dir: string, timeoutMs = 10_000): ObjectStore {
  return new ObjectStore({ cwd: dir, env: gitEnvironment({ baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, gitEnv: GIT_TEST_ENV }), timeoutMs });
}

const packs = async (dir: string): Promise<string[]> => (await readdir(join(dir, 'objects/pack'))).filter((f) => f.endsWith('.pack'));

describe('ObjectStore', () => {
  it('reads objects a later fetch adds, loose and in a new pack, with the process it started first', async () => {
    const { remote, work, sha: first } = await createRepoWithFiles({ 'policies/a.yaml': samplePolicyYaml('a') });
    const mirror = await mirrorOf(remote.url);
    const store = storeFor(mirror.dir);
    try {
      expect((await store.info([first])).get(first)).toMatchObject({ type: 'commit' });
      const [before] = await processesIn(mirror.dir, 'cat-file');
      expect(before).toBeDefined();

      // A small push: fetch unpacks it into loose objects.
      const small = await work.commitAndPush({ files: { 'policies/b.yaml': samplePolicyYaml('b') } });
      const packsBefore = await packs(mirror.dir);
      await mirror.fetch();
      expect(await packs(mirror.dir)).toEqual(packsBefore);
      const b = (await work.git(['rev-parse', `${small}:policies/b.yaml`])).trim();
      expect((await store.contents([small, b])).get(b)?.content?.toString('utf8')).toBe(samplePolicyYaml('b'));

      // More than 100 objects (fetch.unpackLimit): fetch keeps them as a pack.
      const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`policies/many/${i}.yaml`, samplePolicyYaml(`m${i}`)]));
      const big = await work.commitAndPush({ files: many });
      await mirror.fetch();
      expect((await packs(mirror.dir)).length).toBe(packsBefore.length + 1);
      const blobs = (await work.git(['ls-tree', '-r', '--format=%(objectname)', `${big}:policies/many`])).trim().split('\n');
      expect(blobs).toHaveLength(150);
      const read = await store.contents([big, ...blobs]);
      expect(read.get(big)?.type).toBe('commit');
      expect(blobs.every((s) => read.get(s)?.type === 'blob')).toBe(true);
      expect(read.get(blobs[0] ?? '')?.content?.toString('utf8')).toMatch(/^apiVersion: projectcalico\.org\/v3/);
      // Still the one process started at the beginning.
      expect((await processesIn(mirror.dir, 'cat-file')).map((p) => p.pid)).toEqual([before?.pid]);
    } finally {
      await store.close();
    }
  });

  it('leaves missing objects out and refuses what is not an object id', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': 'a: 1\n' });
    const store = storeFor((await mirrorOf(remote.url)).dir);
    try {
      const missing = '0'.repeat(40);
      const info = await store.info([missing, sha]);
      expect([...info.keys()]).toEqual([sha]);
      expect(info.get(sha)?.content).toBeUndefined();
      await expect(store.contents([`${sha}\ninfo ${sha}`])).rejects.toThrow(/not an object id/);
      // The refusal did not upset the process.
      expect((await store.contents([sha])).get(sha)?.type).toBe('commit');
    } finally {
      await store.close();
    }
  });

  it('starts cat-file again after it exits', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': 'a: 1\n' });
    const { dir } = await mirrorOf(remote.url);
    const store = storeFor(dir);
    try {
      await store.info([sha]);
      const [first] = await processesIn(dir, 'cat-file');
      if (!first) throw new Error('no cat-file process');
      process.kill(first.pid, 'SIGKILL');
      await expect.poll(async () => (await processesIn(dir, 'cat-file')).length).toBe(0);
      expect((await store.info([sha])).get(sha)?.type).toBe('commit');
      const again = await processesIn(dir, 'cat-file');
      expect(again).toHaveLength(1);
      expect(again[0]?.pid).not.toBe(first.pid);
    } finally {
      await store.close();
    }
  });

  it('close() ends the process; later requests fail', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': 'a: 1\n' });
    const { dir } = await mirrorOf(remote.url);
    const store = storeFor(dir);
    await store.info([sha]);
    expect(await processesIn(dir, 'cat-file')).toHaveLength(1);
    await store.close();
    expect(await processesIn(dir, 'cat-file')).toEqual([]);
    await expect(store.info([sha])).rejects.toThrow(/closed/);
    expect(await processesIn(dir, 'cat-file')).toEqual([]);
  });

  it('sends a request that got no answer to a new process once (one that died idle, say)', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': 'a: 1\n' });
    const { dir } = await mirrorOf(remote.url);
    const bin = await makeTempDir('cg-bin-');
    const count = join(bin, 'runs');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    // Every run is counted; the first two die at their first command without answering.
    await writeFile(join(bin, 'git'), `#!/bin/sh\necho run >> '${count}'\nif [ $(wc -l < '${count}') -le 2 ]; then read cmd sha; exit 1; fi\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const store = new ObjectStore({ cwd: dir, env: gitEnvironment({ baseEnv: { PATH: `${bin}:/usr/bin:/bin` }, gitEnv: GIT_TEST_ENV }), timeoutMs: 10_000 });
    try {
      // Sent twice, died twice: the request fails (no endless restarts).
      await expect(store.info([sha])).rejects.toThrow(/exited \(1\)/);
      // The next one dies once, then the real git answers it.
      await writeFile(count, 'run\n');
      expect((await store.info([sha])).get(sha)?.type).toBe('commit');
      expect((await readFile(count, 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
    } finally {
      await store.close();
    }
  });

  // A stand-in git on PATH misbehaves once (its first run), then hands over to the real one.
  it.each([
    ['an answer that is not a header', 'echo garbage', /unexpected answer/],
    ['no answer at all (killed after the timeout)', ':', /no answer for 300 ms/],
    ['an exit mid-answer', `printf '%s commit 999\\nhalf' "$sha"; exit 0`, /exited/],
  ])('fails the request on %s and answers the next one with a new process', async (_name, misbehave, error) => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': 'a: 1\n' });
    const { dir } = await mirrorOf(remote.url);
    const bin = await makeTempDir('cg-bin-');
    const mark = join(bin, 'ran');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    await writeFile(
      join(bin, 'git'),
      `#!/bin/sh\nif [ ! -e '${mark}' ]; then : > '${mark}'; read cmd sha; ${misbehave}; exec sleep 30; fi\nexec '${realGit}' "$@"\n`,
      { mode: 0o755 },
    );
    const store = new ObjectStore({ cwd: dir, env: gitEnvironment({ baseEnv: { PATH: `${bin}:/usr/bin:/bin` }, gitEnv: GIT_TEST_ENV }), timeoutMs: 300 });
    try {
      await expect(store.contents([sha])).rejects.toThrow(error);
      expect((await store.contents([sha])).get(sha)?.type).toBe('commit');
    } finally {
      await store.close();
    }
    expect(await processesIn(dir, 'sleep')).toEqual([]);
  });
});
