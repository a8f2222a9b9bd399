// The git processes running in a directory (Linux /proc): how the tests see that a source's
// long-lived cat-file exists, was restarted, or is gone after close().
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';

export interface RunningProcess {
  readonly pid: number;
  readonly argv: readonly string[];
}

/** Processes whose working directory is `dir` and whose argv contains `word` (e.g. `cat-file`). */
export async function processesIn(dir: string, word: string): Promise<RunningProcess[]> {
  const where = await realpath(dir);
  const out: RunningProcess[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const [cwd, cmdline, stat] = await Promise.all([readlink(`/proc/${name}/cwd`), readFile(`/proc/${name}/cmdline`, 'utf8'), readFile(`/proc/${name}/stat`, 'utf8')]);
      // A zombie (exited, not yet reaped) no longer runs.
      if (cwd !== where || / Z /.test(stat.slice(stat.lastIndexOf(')')))) continue;
      const argv = cmdline.split('\0').filter(Boolean);
      if (argv.includes(word)) out.push({ pid: Number(name), argv });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}
