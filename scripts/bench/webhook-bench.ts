// What anonymous clients cost the agent: a real `calico-gitops agent` process (against the
// simulator, a local repository and Redis) takes 600 connections each posting ~1 MB to
// /hooks/git, half with no signature and half with a forged one. Reports its RSS before and at
// the peak (sampled from /proc), how every connection ended, and whether /healthz kept answering.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { queuePrefix } from '../../agent/queue/keys.js';
import { startCluster } from '../../test/kube-sim/index.js';
import { freePort } from '../../test/support/agent-harness.js';
import { CLI_MAIN, REPO_ROOT } from '../../test/support/cli.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, makeTempDir, samplePolicyYaml } from '../../test/support/git-fixtures.js';
import { flood } from '../../test/support/http-flood.js';
import { installAgentRbac } from '../../test/support/install-agent.js';

const CONNECTIONS = 600;
const BODY_BYTES = 1024 * 1024;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

export async function run(): Promise<Record<string, unknown>> {
  const sim = await startCluster({ tls: true });
  const installed = await installAgentRbac(sim);
  const { remote } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
  const dir = await makeTempDir('cg-bench-webhook-');
  await writeFile(join(dir, 'secret'), randomBytes(12).toString('hex'));
  const port = await freePort();
  const cluster = `bench-hook-${randomBytes(3).toString('hex')}`;
  // One node process (no tsx wrapper), so its pid is the agent whose memory is measured.
  const agent = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_MAIN, 'agent', '--repo', remote.url, '--kubeconfig', installed.agentKubeconfig, '--cluster', cluster, '--listen', `127.0.0.1:${port}`, '--webhook-secret-file', join(dir, 'secret'), '--workers', '0', '--cache-dir', dir],
    { cwd: REPO_ROOT, env: { ...process.env, ...GIT_TEST_ENV, CALICO_GITOPS_LOG_LEVEL: 'error' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pid = agent.pid ?? 0;
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let ready = false; !ready; ) {
      ready = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    const before = await rssMiB(pid);
    let peak = before;
    let sampling = true;
    const health = { ok: 0, failed: 0 };
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssMiB(pid));
        const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status === 200, () => false);
        health[ok ? 'ok' : 'failed']++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    const outcomes = await flood({
      port,
      connections: CONNECTIONS,
      bodyBytes: BODY_BYTES,
      headers: (i): Record<string, string> => (i % 2 === 0 ? {} : { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'x-github-event': 'push' }),
    });
    const floodMs = Math.round(performance.now() - started);
    sampling = false;
    await sampler;
    return {
      connections: CONNECTIONS,
      bodyBytes: BODY_BYTES,
      rssBeforeMiB: before,
      rssPeakMiB: peak,
      rssAddedMiB: Math.round((peak - before) * 10) / 10,
      targetAddedMiB: 64,
      outcomes,
      healthz: health,
      floodMs,
    };
  } finally {
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
    const redis = new Redis();
    const keys = await redis.keys(`${queuePrefix(cluster)}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await sim.close();
    await cleanupGitFixtures();
  }
}
