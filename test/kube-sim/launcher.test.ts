// `npm run kube-sim` (scripts/kube-sim.ts): starts the simulated cluster, writes a kubeconfig that
// the real kubectl can use, and saves --state on SIGTERM so the next start has the same objects.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL } from './kubectl-helper.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-sim-launcher-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function launch(args: string[]): { output(): string; ready: Promise<void>; stop(): Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'kube-sim.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`kube-sim exited early (${String(code)}): ${out}`)));
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    output: () => out,
    ready,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawn(KUBECTL, args, { env: { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') } });
    let stdout = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

describe('npm run kube-sim', () => {
  it('serves kubectl over TLS and keeps its state across restarts', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const state = join(dir, 'state.json');
    const first = launch(['--port', '0', '--kubeconfig', kubeconfig, '--state', state, '--calico-version', 'v3.30.3']);
    await first.ready;
    expect(first.output()).toMatch(/kube-sim listening on https:\/\/127\.0\.0\.1:\d+ \(Calico v3\.30\.3\)/);
    expect((await kubectl(kubeconfig, ['create', 'namespace', 'kept'])).code).toBe(0);
    expect(await first.stop()).toBe(0);
    expect(existsSync(state)).toBe(true);

    const second = launch(['--port', '0', '--kubeconfig', kubeconfig, '--state', state]);
    await second.ready;
    expect(second.output()).toContain('(Calico v3.30.3)');
    try {
      const ns = await kubectl(kubeconfig, ['get', 'namespace', 'kept', '-o', 'name']);
      expect(ns).toEqual({ code: 0, stdout: 'namespace/kept\n' });
      const info = await kubectl(kubeconfig, ['get', 'clusterinformations.crd.projectcalico.org', 'default', '-o', 'jsonpath={.spec.calicoVersion}']);
      expect(info.stdout).toBe('v3.30.3');
    } finally {
      await second.stop();
    }
  });

  it('refuses a bad port', async () => {
    const bad = launch(['--port', 'x', '--kubeconfig', join(dir, 'k2')]);
    await expect(bad.ready).rejects.toThrow(/must be a port number/);
  });
});
