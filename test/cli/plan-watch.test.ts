// `calico-gitops plan --dir DIR --watch` against the simulator: one plan at start, another after a
// file changes, stopped by the signal (Ctrl-C in the terminal).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanWatch } from '../../agent/cli/commands/plan.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { cleanupGitFixtures, makeTempDir, samplePolicyYaml } from '../support/git-fixtures.js';

let sim: KubeSim;
let kubeconfig = '';

beforeAll(async () => {
  sim = await startCluster({ calicoVersion: 'v3.31.2' });
  kubeconfig = join(await makeTempDir('cg-plan-watch-'), 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await sim.close();
  await cleanupGitFixtures();
});

const until = (check: () => boolean, timeoutMs = 20_000): Promise<void> => expect.poll(check, { timeout: timeoutMs }).toBe(true);

describe('plan --watch', () => {
  it('plans again after a file changes and stops on the signal', async () => {
    const dir = await makeTempDir('cg-policies-');
    await writeFile(join(dir, 'a.yaml'), samplePolicyYaml('allow-ssh'));
    let out = '';
    let err = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } };
    const stop = new AbortController();
    const done = runPlanWatch({ dir, kubeconfig, json: true }, io, stop.signal);

    await until(() => out.includes('allow-ssh'));
    expect(out).not.toContain('allow-dns');
    const firstLength = out.length;
    await writeFile(join(dir, 'b.yaml'), samplePolicyYaml('allow-dns', { order: 50 }));
    await until(() => out.slice(firstLength).includes('allow-dns'));
    expect(err).toContain('1 file(s) changed (b.yaml): planning again');
    expect(out.slice(firstLength)).toContain('allow-ssh');

    stop.abort();
    expect(await done).toBe(2);
  });

  it('refuses --watch without --dir', async () => {
    let err = '';
    const io = { stdout: { write: () => undefined }, stderr: { write: (t: string) => (err += t) } };
    expect(await runPlanWatch({ repo: 'file:///x' }, io, new AbortController().signal)).toBe(1);
    expect(err).toBe('calico-gitops plan: --watch needs --dir DIR\n');
  });
});
