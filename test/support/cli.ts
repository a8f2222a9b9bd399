// Runs the real `calico-gitops` CLI as a child process (through tsx, as `npx calico-gitops` does in
// a checkout) and hands back what a user sees: exit code, stdout, stderr.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
export const CLI_MAIN = join(REPO_ROOT, 'agent', 'cli', 'main.ts');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment is only PATH plus `env`, so nothing from the developer's shell leaks in. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [CLI_MAIN, ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', ...options.env }, timeout: options.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Calls `fn` with every complete line (stdout or stderr) from now on; returns the unsubscribe. */
  onLine(fn: (line: string) => void): () => void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code once it is gone. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts a long-running `calico-gitops` command (agent, worker) as ONE process (node with tsx's
 * loader, not the tsx wrapper that forks a child), so a SIGKILL kills the command itself.
 */
export function spawnCli(args: readonly string[], options: { env?: Record<string, string> } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  const listeners = new Set<(line: string) => void>();
  // Lines per stream: the agent logs to stderr, commands print to stdout.
  const follow = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.on('data', (d: Buffer) => {
      chunks.push(d.toString());
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) for (const fn of listeners) fn(line);
    });
  };
  follow(child.stdout);
  follow(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => chunks.join(''),
    onLine: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop: async (graceMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
