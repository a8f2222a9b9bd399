// Child processes of the stages bench (the simulator, the `deployed` worker): tsx-run entry points
// whose output lines go to a callback, and a stop that leaves nothing running, even when the bench
// itself dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STOP_GRACE_MS = 30_000;

export interface Child {
  /** Why the child is gone before stop() was called; undefined while it runs. */
  problem(): string | undefined;
  /** SIGTERM (a graceful shutdown), SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** A TypeScript entry point under the repository, and its arguments. */
  readonly entry: readonly string[];
  readonly args: readonly string[];
  /** Every stdout and stderr line. */
  readonly onLine: (line: string) => void;
  readonly name: string;
}

export function startTsxChild(o: ChildOptions): Child {
  // The bench configures the controller from flags alone (env: {}); its children get no other config either.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CALICO_GITOPS_')));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, ...o.entry), ...o.args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const read = (line: string): void => {
    o.onLine(line);
    if (!line.startsWith('{') && line.trim() !== '') tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', read);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', read);
  let stopping = false;
  let problem: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) problem = `${o.name} exited (${signal ?? code}): ${tail.join('\n')}`;
      resolve();
    });
    child.once('error', (err) => {
      problem = `${o.name} did not start: ${err.message}`;
      resolve();
    });
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null && problem === undefined;
  // A bench that dies (an uncaught error, process.exit) leaves no child behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    problem: () => problem,
    stop: async () => {
      stopping = true;
      if (alive()) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
        clearTimeout(timer);
        if (alive()) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      process.removeListener('exit', killOnExit);
    },
  };
}
