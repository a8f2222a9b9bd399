import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchDir } from '../../agent/source/dir-watcher.js';
import { cleanupGitFixtures, makeTempDir } from '../support/git-fixtures.js';

afterAll(cleanupGitFixtures);

function collector() {
  const calls: string[][] = [];
  let wake: (() => void) | undefined;
  return {
    calls,
    onChange: (changed: readonly string[]) => {
      calls.push([...changed]);
      wake?.();
    },
    next: (timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no change reported')), timeoutMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      }),
  };
}

describe('watchDir', () => {
  it('reports a burst of changes once, debounced, ignoring hidden paths and node_modules', async () => {
    const dir = await makeTempDir();
    await mkdir(join(dir, '.git'));
    await mkdir(join(dir, 'node_modules'));
    await mkdir(join(dir, 'policies'));
    const c = collector();
    // The quiet period is what is tested, so it stays a real time window; the burst is written at
    // once and the window is wide (1 s, where the gap between the burst's events is milliseconds),
    // so a loaded machine cannot split it. Without the debounce each file is its own call: it fails.
    const w = watchDir({ dir, onChange: c.onChange, debounceMs: 1_000 });
    await w.ready;
    const next = c.next();
    await Promise.all([
      writeFile(join(dir, 'policies/a.yaml'), 'a: 1\n'),
      writeFile(join(dir, 'b.yaml'), 'b: 1\n'),
      writeFile(join(dir, '.git/HEAD'), 'x\n'),
      writeFile(join(dir, 'node_modules/x.yaml'), 'x\n'),
      writeFile(join(dir, '.hidden.yaml'), 'x\n'),
    ]);
    await next;
    expect(c.calls).toEqual([['b.yaml', 'policies/a.yaml']]);

    const again = c.next();
    await rm(join(dir, 'b.yaml'));
    await again;
    expect(c.calls[1]).toEqual(['b.yaml']);
    await w.close();
  });

  it('stops reporting after close', async () => {
    const dir = await makeTempDir();
    const c = collector();
    const w = watchDir({ dir, onChange: c.onChange, debounceMs: 50 });
    await w.ready;
    await w.close();
    // A second watcher still open on the same directory is the signal: once it has reported the
    // change (same debounce), the closed one would have too.
    const open = collector();
    const witness = watchDir({ dir, onChange: open.onChange, debounceMs: 50 });
    await witness.ready;
    const seen = open.next();
    await writeFile(join(dir, 'a.yaml'), 'a: 1\n');
    await seen;
    await witness.close();
    expect(open.calls).toEqual([['a.yaml']]);
    expect(c.calls).toEqual([]);
  });
});
