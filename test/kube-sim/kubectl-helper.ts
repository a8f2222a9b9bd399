// Runs the real /usr/bin/kubectl against a simulator in tests, with a private discovery cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeSim } from './server.js';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Kubectl {
  readonly dir: string;
  readonly kubeconfig: string;
  run(args: readonly string[], o?: { input?: string; kubeconfig?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get -w`); `output()` is what it printed so far. */
  spawn(args: readonly string[]): { child: ChildProcess; output(): string; stop(): Promise<void> };
  /** A kubeconfig acting as a ServiceAccount. */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  cleanup(): Promise<void>;
}

export const KUBECTL = '/usr/bin/kubectl';

export async function kubectlFor(sim: KubeSim): Promise<Kubectl> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-sim-kubectl-'));
  const kubeconfig = join(dir, 'admin.kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  const env = (kc: string): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kc, KUBECACHEDIR: join(dir, 'cache') });
  return {
    dir,
    kubeconfig,
    run(args, o = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(KUBECTL, [...args], { env: { ...env(o.kubeconfig ?? kubeconfig), ...(o.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(o.input ?? '');
      });
    },
    spawn(args) {
      const child = spawn(KUBECTL, [...args], { env: env(kubeconfig), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const closed = new Promise<void>((r) => child.on('close', () => r()));
      return {
        child,
        output: () => out,
        stop: async () => {
          child.kill('SIGTERM');
          await closed;
        },
      };
    },
    async serviceAccountKubeconfig(namespace, name) {
      const file = join(dir, `${namespace}-${name}.kubeconfig`);
      await sim.writeKubeconfig(file, { serviceAccount: { namespace, name } });
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Polls `check` until it returns true (or throws after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
