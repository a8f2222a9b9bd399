// Executor time for 10 / 100 / 1,000 resources through the simulator: one calicoctl pod each run,
// and the API executor (no pod: projectcalico.org/v3 on the Calico API server, impersonating the
// executor account) for the same plans; and queue latency from enqueue to pickup (real Redis).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import pino from 'pino';
import { contentHash, resourceKey, type PlanStep } from '../../agent/domain/index.js';
import { ApiExecutor, apiObjectsFor, CalicoctlExecutor, impersonating, kubeOpsFor } from '../../agent/executor/index.js';
import { createSyncQueue, createWorker, queuePrefix } from '../../agent/queue/index.js';
import { startCluster } from '../../test/kube-sim/index.js';
import { adminClient, executorSetup } from '../../test/kube-sim/runtime/test-fixtures.js';
import { installAgentRbac } from '../../test/support/install-agent.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

function gnp(name: string): PlanStep {
  const manifest = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name, annotations: { 'calico-gitops.io/owner': 'calico-gitops' } },
    spec: { selector: `app == '${name}'`, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }] },
  };
  return { action: 'create', kindId: 'GlobalNetworkPolicy', key: resourceKey('GlobalNetworkPolicy', undefined, name), manifest, hash: contentHash(manifest.spec) };
}

async function executorFigures(): Promise<Record<string, unknown>> {
  const sim = await startCluster({ calicoVersion: 'v3.31.2', tls: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'executor-bench-'));
  try {
    const file = path.join(dir, 'kubeconfig');
    await sim.writeKubeconfig(file);
    const config = new KubeConfig();
    config.loadFromFile(file);
    await executorSetup(adminClient(sim), { namespace: 'calico-gitops', serviceAccount: 'calico-gitops-executor' });
    const executor = new CalicoctlExecutor({
      kube: kubeOpsFor(config),
      namespace: 'calico-gitops',
      serviceAccount: 'calico-gitops-executor',
      calicoctlImage: 'quay.io/calico/ctl:v3.31.2',
      podTimeoutMs: 600_000,
      logger,
    });
    const out: Record<string, unknown> = {};
    for (const n of [10, 100, 1_000]) {
      const steps = Array.from({ length: n }, (_, i) => gnp(`bench-${n}-${i}`));
      const started = performance.now();
      const results = await executor.execute({ steps, jobId: `bench-${n}` });
      const ms = performance.now() - started;
      const ok = results.filter((r) => r.outcome === 'ok').length;
      out[`apply_${n}`] = { ms: Math.round(ms), ms_per_resource: Number((ms / n).toFixed(2)), ok };
    }
    return out;
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same plans through `--executor api` on a cluster with the Calico API server. */
async function apiExecutorFigures(): Promise<Record<string, unknown>> {
  const sim = await startCluster({ calicoVersion: 'v3.31.2', tls: true, calicoApiServer: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'executor-bench-api-'));
  try {
    // As deploy/ runs it: the worker's identity impersonating the executor account.
    const installed = await installAgentRbac(sim);
    const config = new KubeConfig();
    config.loadFromFile(installed.workerKubeconfig);
    const executor = new ApiExecutor({ api: apiObjectsFor(impersonating(config, 'system:serviceaccount:calico-gitops:calico-gitops-executor')), instance: 'calico-gitops', logger });
    const out: Record<string, unknown> = {};
    for (const n of [10, 100, 1_000]) {
      const steps = Array.from({ length: n }, (_, i) => gnp(`bench-${n}-${i}`));
      const started = performance.now();
      const results = await executor.execute({ steps, jobId: `bench-api-${n}` });
      const ms = performance.now() - started;
      const ok = results.filter((r) => r.outcome === 'ok').length;
      out[`api_apply_${n}`] = { ms: Math.round(ms), ms_per_resource: Number((ms / n).toFixed(2)), ok };
    }
    return out;
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function queueFigures(): Promise<Record<string, unknown>> {
  const cluster = `bench${randomBytes(4).toString('hex')}`;
  const queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger });
  const enqueuedAt = new Map<string, number>();
  const latencies: number[] = [];
  let picked: (() => void) | undefined;
  const skip = async (job: { id: string }) => {
    latencies.push(performance.now() - (enqueuedAt.get(job.id) ?? performance.now()));
    picked?.();
    return { result: { kind: 'superseded' as const, latest: 'bench' } };
  };
  const worker = await createWorker({ connection: REDIS_URL, cluster, logger, handler: skip });
  try {
    const rounds = 100;
    for (let i = 0; i < rounds; i++) {
      const plan = { id: `p${i}`, revision: `r${i}`, steps: [], skipped: [], unchanged: 0 };
      const done = new Promise<void>((resolve) => (picked = resolve));
      const t = performance.now();
      const { jobId } = await queue.enqueueSync({ plan, revision: `r${i}`, author: 'bench' });
      enqueuedAt.set(jobId, t);
      await done;
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
    return { enqueue_to_pickup_ms: { rounds, p50: at(0.5), p95: at(0.95), max: at(1) } };
  } finally {
    await worker.close({ graceMs: 2_000 });
    await queue.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${queuePrefix(cluster)}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  return { ...(await executorFigures()), ...(await apiExecutorFigures()), ...(await queueFigures()) };
}
