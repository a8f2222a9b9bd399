// Runs the real `calico-gitops` CLI as a child process (through tsx, as `npx calico-gitops` does in
// a checkout) and hands back what a user sees: exit code, stdout, stderr.
import { execFile } from 'node:child_process';
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
