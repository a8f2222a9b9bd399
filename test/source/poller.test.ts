import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../agent/domain/errors.js';
import { GitSource, type SourceResult } from '../../agent/source/git-source.js';
import { Poller, type PollSource, type Timers } from '../../agent/source/poller.js';
import { cleanupGitFixtures, createRemote, createRepoWithFiles, createWorkRepo, GIT_TEST_ENV, makeTempDir, samplePolicyYaml } from '../support/git-fixtures.js';
import { captureLogger } from './capture-logger.js';

afterAll(cleanupGitFixtures);

/** Timers driven by the test: `fire()` runs the pending callback. */
function manualTimers(): Timers & { pending: { fn: () => void; ms: number }[]; fire(): void } {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    pending,
    setTimeout: (fn, ms) => {
      const entry = { fn, ms };
      pending.push(entry);
      return entry;
    },
    clearTimeout: (h) => {
      const i = pending.indexOf(h as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const next = pending.shift();
      if (!next) throw new Error('no timer pending');
      next.fn();
    },
  };
}

async function setup(url: string, path = '.') {
  const snapshots: SourceResult[] = [];
  const errors: unknown[] = [];
  const timers = manualTimers();
  const source = new GitSource({ url, branch: 'main', path, cacheDir: await makeTempDir('cg-cache-'), logger: captureLogger(), gitEnv: GIT_TEST_ENV });
  const poller = new Poller({
    source,
    onSnapshot: (r) => void snapshots.push(r),
    onError: (e) => void errors.push(e),
    logger: captureLogger(),
    intervalMs: 1000,
    jitter: 0.2,
    random: () => 0.75,
    timers,
  });
  return { source, poller, snapshots, errors, timers };
}

const codes = (errors: unknown[]): string[] => errors.map((e) => (e instanceof SourceError ? e.code : String(e)));

describe('Poller', () => {
  it('delivers a new commit once, and nothing on a repeated poll', async () => {
    const { remote, work, sha } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const { poller, snapshots, errors, timers } = await setup(remote.url);
    await poller.trigger();
    expect(snapshots.map((s) => s.snapshot.revision)).toEqual([sha]);
    await poller.trigger();
    expect(snapshots).toHaveLength(1);

    const second = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') } });
    await poller.trigger();
    expect(snapshots.map((s) => s.snapshot.revision)).toEqual([sha, second]);
    expect(snapshots[1]?.forcePush).toBe(false);
    expect(errors).toEqual([]);
    expect(timers.pending).toHaveLength(0);
  });

  it('schedules the next check with jitter after start', async () => {
    const { remote } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const { poller, snapshots, timers } = await setup(remote.url);
    poller.start();
    await poller.trigger();
    // random 0.75 with ±20 % → 1000 * (1 + 0.2 * 0.5)
    expect(timers.pending.map((t) => t.ms)).toEqual([1100]);
    // start's check and the trigger that arrived while it ran
    expect(poller.checks).toBe(2);
    timers.fire();
    await poller.stop();
    expect(poller.checks).toBe(3);
    expect(snapshots).toHaveLength(1);
    expect(timers.pending).toHaveLength(0);
  });

  it('coalesces concurrent triggers into one queued check', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const fake: PollSource = {
      latest: async () => {
        calls++;
        await gate;
        return { changed: true, forcePush: false, snapshot: { revision: `r${calls}`, author: '', message: '', files: [], problems: { errors: [], warnings: [] } } };
      },
    };
    const seen: string[] = [];
    const poller = new Poller({ source: fake, onSnapshot: (r) => void seen.push(r.snapshot.revision), onError: () => undefined, logger: captureLogger(), timers: manualTimers() });
    const all = [poller.trigger(), poller.trigger(), poller.trigger(), poller.trigger()];
    release();
    await Promise.all(all);
    expect(calls).toBe(2);
    expect(seen).toEqual(['r1', 'r2']);
  });

  it('flags a force-push', async () => {
    const { remote, work, sha: first } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const { poller, snapshots } = await setup(remote.url);
    await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') } });
    await poller.trigger();
    await work.resetHard(first);
    await work.commit({ files: { 'c.yaml': samplePolicyYaml('c') } });
    await work.push({ force: true });
    await poller.trigger();
    expect(snapshots.map((s) => s.forcePush)).toEqual([false, true]);
  });

  it('reports errors, keeps polling and keeps the last good snapshot', async () => {
    const remote = await createRemote();
    const { poller, snapshots, errors } = await setup(remote.url, 'policies');
    await poller.trigger();
    const work = await createWorkRepo({ remote });
    await work.commitAndPush({ files: { 'other/a.yaml': samplePolicyYaml('a') } });
    await poller.trigger();
    const sha = await work.commitAndPush({ files: { 'policies/a.yaml': samplePolicyYaml('a') } });
    await poller.trigger();
    expect(codes(errors)).toEqual(['empty-repo', 'path-not-found']);
    expect(snapshots.map((s) => s.snapshot.revision)).toEqual([sha]);

    await work.git(['push', '--quiet', 'origin', ':refs/heads/main']);
    await poller.trigger();
    expect(codes(errors)).toEqual(['empty-repo', 'path-not-found', 'empty-repo']);
    expect(poller.lastGood?.snapshot.revision).toBe(sha);
  });

  it('reports an unreachable host as an error, not a crash', async () => {
    const { poller, errors, snapshots } = await setup('http://127.0.0.1:9/x.git');
    await poller.trigger();
    await poller.trigger();
    expect(codes(errors)).toEqual(['unreachable', 'unreachable']);
    expect(snapshots).toEqual([]);
  });

  it('hands a revision over again when the snapshot callback failed', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const source = new GitSource({ url: remote.url, branch: 'main', path: '.', cacheDir: await makeTempDir(), logger: captureLogger(), gitEnv: GIT_TEST_ENV });
    const seen: string[] = [];
    const errors: unknown[] = [];
    let fail = true;
    const poller = new Poller({
      source,
      onSnapshot: (r) => {
        seen.push(r.snapshot.revision);
        if (fail) throw new Error('controller busy');
      },
      onError: (e) => void errors.push(e),
      logger: captureLogger(),
      timers: manualTimers(),
    });
    await poller.trigger();
    fail = false;
    await poller.trigger();
    await poller.trigger();
    expect(seen).toEqual([sha, sha]);
    expect(errors).toHaveLength(1);
  });
});
