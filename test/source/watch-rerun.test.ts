import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchAndRerun } from '../../agent/source/watch-rerun.js';
import { cleanupGitFixtures, makeTempDir } from '../support/git-fixtures.js';

afterAll(cleanupGitFixtures);

const until = (check: () => boolean, timeoutMs = 5000): Promise<void> => expect.poll(check, { timeout: timeoutMs }).toBe(true);

describe('watchAndRerun', () => {
  it('runs once at start, again per burst, never overlapping', async () => {
    const dir = await makeTempDir();
    const ac = new AbortController();
    const runs: string[][] = [];
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => undefined;
    const deferred: string[] = [];
    const done = watchAndRerun({
      dir,
      debounceMs: 50,
      signal: ac.signal,
      onDeferred: (changed) => deferred.push(...changed),
      run: async (changed) => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push([...changed]);
        if (runs.length === 2) await new Promise<void>((r) => (release = r));
        active--;
      },
    });
    await until(() => runs.length === 1);
    await writeFile(join(dir, 'a.yaml'), 'a: 1\n');
    await until(() => runs.length === 2);
    // Two more bursts while run 2 is blocked: they collapse into one run. Each write waits until
    // the watcher has reported it, so both are pending before run 2 ends.
    await writeFile(join(dir, 'b.yaml'), 'b: 1\n');
    await until(() => deferred.includes('b.yaml'));
    await writeFile(join(dir, 'c.yaml'), 'c: 1\n');
    await until(() => deferred.includes('c.yaml'));
    release();
    await until(() => runs.length === 3);
    ac.abort();
    await done;
    expect(runs).toEqual([[], ['a.yaml'], ['b.yaml', 'c.yaml']]);
    expect(maxActive).toBe(1);
  });

  it('reports a failing run and keeps watching', async () => {
    const dir = await makeTempDir();
    const ac = new AbortController();
    const errors: unknown[] = [];
    let runs = 0;
    const done = watchAndRerun({
      dir,
      debounceMs: 50,
      signal: ac.signal,
      onError: (e) => errors.push(e),
      run: async () => {
        runs++;
        if (runs === 1) throw new Error('cluster unreachable');
      },
    });
    await until(() => runs === 1);
    await writeFile(join(dir, 'a.yaml'), 'a: 1\n');
    await until(() => runs === 2);
    ac.abort();
    await done;
    expect(errors.map(String)).toEqual(['Error: cluster unreachable']);
  });
});
