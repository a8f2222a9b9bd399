// Git source costs for 100 / 1,000 / 10,000 policies (generatePolicies: 1–4 per file) in a bare repo over
// file://: a cold `git fetch` into an empty mirror, the `ls-remote` head check, a cold snapshot
// (ls-tree + cat-file --batch of every blob), and after a one-file commit the whole incremental
// `latest()` (fetch, then the commit, the changed trees, one size and one blob over the mirror's
// long-lived cat-file) against a bare fetch of it.
// `latest()` no longer runs the head check; it is timed for the follower's readiness probe.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../agent/domain/runtime.js';
import type { SourceFile } from '../../agent/domain/state.js';
import { GitSource } from '../../agent/source/git-source.js';
import { generatePolicies } from './generate-policies.js';
import { cleanupGitFixtures, createRemote, createWorkRepo, GIT_TEST_ENV, makeTempDir, runGit} from '../../test/support/git-fixtures.js';

const SIZES = [100, 1_000, 10_000];

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

// generatePolicies makes `n` resources in files of one to four documents; they go under policies/.
function filesFor(n: number): SourceFile[] {
  return generatePolicies({ count: n }).map((f) => ({ path: `policies/${f.path}`, content: f.content }));
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: Math.round((performance.now() - start) * 10) / 10, value };
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await time(fn)).ms);
  out.sort((a, b) => a - b);
  return out[Math.floor(out.length / 2)] ?? 0;
}

async function benchSize(n: number): Promise<Record<string, unknown>> {
  const remote = await createRemote();
  const work = await createWorkRepo({ remote });
  const files = filesFor(n);
  const first = files[0] as SourceFile;
  await work.write(Object.fromEntries(files.map((f) => [f.path, f.content])));
  await work.commitAndPush({ message: `${n} policies` });

  const source = async (): Promise<GitSource> =>
    new GitSource({ url: remote.url, branch: 'main', path: 'policies', cacheDir: await makeTempDir('cg-bench-'), logger: silent, gitEnv: GIT_TEST_ENV });

  // A bare `git fetch` into an empty repository: the floor any source must pay.
  const bare = await makeTempDir('cg-bench-bare-');
  await runGit(['init', '--bare', '--quiet', '.'], { cwd: bare });
  const gitFetchCold = await time(() => runGit(['fetch', '--quiet', '--no-tags', remote.url, '+refs/heads/main:refs/heads/main'], { cwd: bare }));

  const src = await source();
  const fetchCold = await time(() => src.fetch());
  const headCheck = await median(5, () => src.headRevision());
  const snapshotCold = await time(() => src.snapshot(fetchCold.value));
  const coldStats = src.lastStats;

  const warm = await source();
  const latestCold = await time(() => warm.latest());
  const unchanged = await median(5, () => warm.latest());

  // One-file commits, three rounds each (the machine is shared: medians, not single samples).
  const fetchRounds: number[] = [];
  const latestRounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    await work.commitAndPush({ files: { [first.path]: `${first.content}# touched ${round}\n` }, message: `one change ${round}` });
    fetchRounds.push((await time(() => runGit(['fetch', '--quiet', '--no-tags', remote.url, '+refs/heads/main:refs/heads/main'], { cwd: bare }))).ms);
    latestRounds.push((await time(() => warm.latest())).ms);
  }
  const mid = (xs: number[]): number => [...xs].sort((x, y) => x - y)[1] ?? 0;
  // Each source keeps a cat-file running for its mirror.
  await Promise.all([src.close(), warm.close()]);

  return {
    resources: n,
    files: files.length,
    bytes: files.reduce((s, f) => s + Buffer.byteLength(f.content), 0),
    gitFetchColdMs: gitFetchCold.ms,
    sourceFetchColdMs: fetchCold.ms,
    headCheckMs: headCheck,
    snapshotColdMs: snapshotCold.ms,
    snapshotColdBlobsRead: coldStats.blobsRead,
    latestColdMs: latestCold.ms,
    latestUnchangedMs: unchanged,
    gitFetchIncrementalMs: mid(fetchRounds),
    latestIncrementalMs: mid(latestRounds),
    incrementalBlobsRead: warm.lastStats.blobsRead,
    incrementalBlobsReused: warm.lastStats.blobsReused,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  try {
    for (const n of SIZES) results[String(n)] = await benchSize(n);
  } finally {
    await cleanupGitFixtures();
  }
  return results;
}
