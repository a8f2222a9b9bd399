// The emulated kubectl image: the REAL kubectl binary, run against the simulator as the pod's
// ServiceAccount. Mounted ConfigMap files are materialized in a temp directory that stands in for
// the container's root, and arguments naming a path under a mount point are rewritten to it.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MountedFiles } from './volumes.js';

export interface KubectlRun {
  readonly kubectlPath: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly files: MountedFiles;
  readonly server: { readonly url: string; readonly token: string; readonly caCertPath?: string; readonly namespace: string };
  readonly signal: AbortSignal;
  /** Shared discovery/OpenAPI cache (kubectl's KUBECACHEDIR); a fresh one per run when absent. */
  readonly cacheDir?: string;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
}

/** Rewrites `/manifests/a.yaml`, `-f=/manifests` or `--filename=/manifests/a.yaml` into `root`. */
export function rewritePaths(arg: string, mountPaths: readonly string[], root: string): string {
  const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
  const prefix = eq >= 0 ? arg.slice(0, eq + 1) : '';
  const value = eq >= 0 ? arg.slice(eq + 1) : arg;
  for (const mp of mountPaths) {
    if (value === mp || value.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) return `${prefix}${path.join(root, value)}`;
  }
  return arg;
}

export function kubeconfigYaml(o: { url: string; token: string; caCertPath?: string; namespace: string }): string {
  const cluster = o.caCertPath ? `    certificate-authority: ${JSON.stringify(o.caCertPath)}\n` : '';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kube-sim',
    '  cluster:',
    `    server: ${JSON.stringify(o.url)}`,
    cluster.trimEnd(),
    'users:',
    '- name: pod-service-account',
    '  user:',
    `    token: ${JSON.stringify(o.token)}`,
    'contexts:',
    '- name: in-cluster',
    '  context:',
    '    cluster: kube-sim',
    '    user: pod-service-account',
    `    namespace: ${JSON.stringify(o.namespace)}`,
    'current-context: in-cluster',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export async function runKubectlImage(o: KubectlRun): Promise<{ exitCode: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kube-sim-kubectl-'));
  try {
    const root = path.join(dir, 'root');
    for (const f of o.files.files()) {
      const target = path.join(root, f.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, f.content);
    }
    const kubeconfig = path.join(dir, 'kubeconfig');
    // The token file is secret material: readable by this user only.
    await writeFile(kubeconfig, kubeconfigYaml(o.server), { mode: 0o600 });
    const args = o.argv.map((a) => rewritePaths(a, o.files.mountPaths(), root));
    const home = path.join(dir, 'home');
    await mkdir(home);

    return await new Promise<{ exitCode: number }>((resolve) => {
      const child = spawn(o.kubectlPath, args, {
        env: { ...o.env, HOME: home, KUBECONFIG: kubeconfig, ...(o.cacheDir ? { KUBECACHEDIR: o.cacheDir } : {}) },
        cwd: root.length ? dir : undefined,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const onAbort = (): void => {
        child.kill('SIGKILL');
      };
      o.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => o.onOutput('stdout', d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => o.onOutput('stderr', d.toString('utf8')));
      child.on('error', (err) => {
        o.signal.removeEventListener('abort', onAbort);
        o.onOutput('stderr', `exec: "${o.kubectlPath}": ${err.message}\n`);
        resolve({ exitCode: 127 });
      });
      child.on('close', (code, sig) => {
        o.signal.removeEventListener('abort', onAbort);
        resolve({ exitCode: code ?? (sig ? 137 : 1) });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
