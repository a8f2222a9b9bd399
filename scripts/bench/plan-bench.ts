// `npm run bench -- plan`: plan time for 100 / 1,000 / 10,000 policies, cold (list from the
// simulator over HTTP + convert + normalize + plan) and warm (plan only, from a synced cache),
// against the bare YAML parse of the same policies; and the RSS of a separate process holding
// 10,000 policies in its live cache (run as `tsx scripts/bench/plan-bench.ts --rss-child KUBECONFIG N`).
// Policies come from generatePolicies (every kind, as a real repository mixes them).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import pino from 'pino';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion, type CalicoVersion } from '../../agent/domain/calico-version.js';
import type { DesiredState, SourceFile } from '../../agent/domain/state.js';
import { createKubeClients } from '../../agent/kube/client.js';
import { detectCluster } from '../../agent/kube/detect.js';
import { createLiveCache } from '../../agent/live/create-live-cache.js';
import { buildPlan } from '../../agent/plan/build-plan.js';
import { diffManifests } from '../../agent/plan/diff.js';
import type { Manifest } from '../../agent/domain/resource.js';
import { KINDS } from '../../agent/domain/kinds.js';
import { generatePolicies } from './generate-policies.js';
import type { CalicoObject } from '../../test/kube-sim/calico/storage.js';

const SIZES = [100, 1_000, 10_000, 50_000];
/** Sizes whose full cold/warm plan is measured; 50,000 is for the RSS figure and the cold start. */
const VERSION = 'v3.31.2';
const logger = pino({ level: 'silent' });

async function filesFor(n: number): Promise<SourceFile[]> {
  return generatePolicies({ count: n });
}

function desiredFor(files: SourceFile[], version: CalicoVersion): DesiredState {
  const result = buildDesiredState({ files, calicoVersion: version });
  if (result.errors.length > 0) throw new Error(`generated policies are invalid: ${result.errors[0]?.message ?? ''}`);
  return result.state;
}

/** Stores what the agent would have applied, the way calicoctl stores it, straight into the simulator. */
async function populate(url: string, token: string, desired: DesiredState, version: CalicoVersion): Promise<void> {
  const empty = { isSynced: () => true, get: () => undefined, list: () => [] };
  const plan = buildPlan({ desired, live: empty, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
  const namespaces = new Set(plan.steps.map((s) => s.manifest.metadata.namespace).filter((n): n is string => n !== undefined));
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok && res.status !== 409) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  };
  for (const ns of namespaces) await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // Test infrastructure is loaded lazily so the RSS child (which only reads) never holds it.
  const { ctlKindByKind } = await import('../../test/kube-sim/calico/ctl-kinds.js');
  const { toStorage } = await import('../../test/kube-sim/calico/storage.js');
  const queue = [...plan.steps];
  const worker = async (): Promise<void> => {
    for (let step = queue.pop(); step; step = queue.pop()) {
      const ns = step.manifest.metadata.namespace;
      if (KINDS[step.kindId].appliedByKubectl) {
        await post(`/apis/networking.k8s.io/v1/namespaces/${ns ?? 'default'}/networkpolicies`, step.manifest);
        continue;
      }
      const kind = ctlKindByKind(step.manifest.kind, version);
      if (!kind) throw new Error(`no kind ${step.manifest.kind}`);
      const stored = toStorage({ object: step.manifest as unknown as CalicoObject, kind, version });
      await post(`/apis/crd.projectcalico.org/v1/${ns ? `namespaces/${ns}/` : ''}${kind.plural}`, stored);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** The bare cost of reading the cluster: one GET + JSON.parse of every Calico and Kubernetes policy collection. */
async function listAloneMs(url: string, token: string): Promise<number> {
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return JSON.parse(await res.text()) as unknown;
  };
  const group = (await get('/apis/crd.projectcalico.org/v1')) as { resources: { name: string }[] };
  const paths = [...group.resources.filter((r) => !r.name.includes('/')).map((r) => `/apis/crd.projectcalico.org/v1/${r.name}`), '/apis/networking.k8s.io/v1/networkpolicies'];
  const t0 = performance.now();
  await Promise.all(paths.map((p) => get(p)));
  return ms(t0);
}

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(): Promise<Record<string, unknown>> {
  const version = parseCalicoVersion(VERSION) as CalicoVersion;
  const { startKubeSim } = await import('../../test/kube-sim/server.js');
  const out: Record<string, unknown> = {};
  const dir = await mkdtemp(join(tmpdir(), 'plan-bench-'));
  try {
    for (const n of SIZES) {
      const files = await filesFor(n);
      const parse: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const t0 = performance.now();
        for (const f of files) yaml.loadAll(f.content);
        parse.push(ms(t0));
      }
      const desired = desiredFor(files, version);
      const sim = await startKubeSim({ calicoVersion: VERSION });
      try {
        const t0populate = performance.now();
        await populate(sim.url, sim.adminToken, desired, version);
        const populateMs = ms(t0populate);
        const kubeconfig = join(dir, `kubeconfig-${n}`);
        await sim.writeKubeconfig(kubeconfig);
        const listAlone = await listAloneMs(sim.url, sim.adminToken);
        const t0 = performance.now();
        const clients = createKubeClients({ kubeconfig });
        const cluster = await detectCluster(clients);
        const live = createLiveCache({ clients, cluster, logger });
        live.start();
        if (!(await live.waitForSync(600_000))) throw new Error('live cache did not sync');
        const first = buildPlan({ desired, live, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
        const cold = ms(t0);
        if (first.steps.length !== 0 || first.unchanged !== desired.resources.size) {
          throw new Error(`expected ${desired.resources.size} unchanged, got ${first.unchanged} unchanged and ${first.steps.length} steps`);
        }
        const warm: number[] = [];
        for (let i = 0; i < 7; i += 1) {
          const t1 = performance.now();
          buildPlan({ desired, live, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
          warm.push(ms(t1));
        }
        await live.stop();
        const rss = n >= 10_000 ? await rssChild(kubeconfig, n) : undefined;
        out[String(n)] = {
          policies: desired.resources.size,
          yamlParseMs: median(parse),
          populateSimulatorMs: populateMs,
          listAloneMs: listAlone,
          coldPlanMs: cold,
          coldVsList: Math.round((cold / Math.max(listAlone, 0.001)) * 100) / 100,
          warmPlanMs: median(warm),
          warmVsParse: Math.round((median(warm) / Math.max(median(parse), 0.001)) * 100) / 100,
          ...(rss ? { rssChild: rss } : {}),
        };
        process.stderr.write(`plan-bench ${n}: ${JSON.stringify(out[String(n)])}\n`);
      } finally {
        await sim.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { calicoVersion: VERSION, targets: { warm10kMs: 500, warmVsParse: 2, rssMb: 250 }, results: out, bigNetworkSetDiff: bigNetworkSetDiff() };
}

/**
 * The per-resource diff of a NetworkSet with 10,000 nets (one YAML line each) whose first and last
 * net changed: the old O(n·m) table took ~400 MB here; a linear-space diff keeps it small.
 */
export function bigNetworkSetDiff(lines = 10_000): Record<string, number> {
  const nets = Array.from({ length: lines }, (_, i) => `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`);
  const set = (list: string[]): Manifest => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'big', namespace: 'bench' }, spec: { nets: list } });
  const before = set(nets);
  const after = set([`192.168.0.0/24`, ...nets.slice(1, -1), `192.168.255.0/24`]);
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const diff = diffManifests(before, after);
  const elapsed = ms(t0);
  const heapDeltaMb = Math.round(((process.memoryUsage().heapUsed - heap0) / 1024 / 1024) * 10) / 10;
  return { nets: lines, diffLines: diff.length, changed: diff.filter((l) => l.op !== ' ').length, ms: elapsed, heapDeltaMb };
}

/**
 * Measures in a fresh process running compiled JavaScript under plain node, as the agent runs in
 * its image: tsx's on-the-fly compilation alone adds ~100 MB of RSS that production never has.
 * The bench itself is bundled with esbuild (packages stay external) into .tmp/ under the project.
 */
async function rssChild(kubeconfig: string, n: number): Promise<Record<string, number>> {
  const self = fileURLToPath(import.meta.url);
  const root = join(dirname(self), '..', '..');
  const outfile = join(root, '.tmp', 'plan-bench-child.mjs');
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [self], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile, logLevel: 'error' });
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', outfile, '--rss-child', kubeconfig, String(n)], { maxBuffer: 1 << 20, cwd: root });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
}

/** The child: an agent-like process that holds the live cache of n policies (and their desired state). */
async function child(kubeconfig: string, n: number): Promise<void> {
  const version = parseCalicoVersion(VERSION) as CalicoVersion;
  const rssStart = process.memoryUsage().rss;
  const clients = createKubeClients({ kubeconfig });
  const cluster = await detectCluster(clients);
  const live = createLiveCache({ clients, cluster, logger });
  live.start();
  if (!(await live.waitForSync(600_000))) throw new Error('live cache did not sync');
  global.gc?.();
  const rssLiveOnly = process.memoryUsage().rss;
  const desired = desiredFor(await filesFor(n), version);
  const plan = buildPlan({ desired, live, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
  global.gc?.();
  const mem = process.memoryUsage();
  const mb = (bytes: number): number => Math.round(bytes / 1e6);
  process.stdout.write(
    `${JSON.stringify({
      cached: live.size(),
      unchanged: plan.unchanged,
      rssAfterImportsMb: mb(rssStart),
      rssLiveCacheOnlyMb: mb(rssLiveOnly),
      rssMb: mb(mem.rss),
      peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
      heapUsedMb: mb(mem.heapUsed),
    })}\n`,
  );
  await live.stop();
}

if (process.argv[2] === '--rss-child') {
  await child(process.argv[3] ?? '', Number(process.argv[4] ?? '10000'));
  process.exit(0);
}
