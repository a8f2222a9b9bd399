// `npm run bench -- plan`: plan time for 100 / 1,000 / 10,000 policies, cold (list from the
// simulator over HTTP + convert + normalize + plan) and warm (plan only, from a synced cache),
// against the bare YAML parse of the same policies; and the RSS of a separate process holding
// 10,000 policies in its live cache (run as `tsx scripts/bench/plan-bench.ts --rss-child KUBECONFIG N`).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { startKubeSim } from '../../test/kube-sim/server.js';
import { ctlKindByKind } from '../../test/kube-sim/calico/ctl-kinds.js';
import { toStorage, type CalicoObject } from '../../test/kube-sim/calico/storage.js';

const SIZES = [100, 1_000, 10_000];
const VERSION = 'v3.31.2';
const logger = pino({ level: 'silent' });

/** Policies as a platform team writes them: namespaced and global, a few rules each. */
function policyYaml(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const global = i % 5 === 0;
    docs.push(
      yaml.dump({
        apiVersion: 'projectcalico.org/v3',
        kind: global ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
        metadata: { name: `policy-${i}`, ...(global ? {} : { namespace: `team-${i % 20}` }), labels: { team: `t${i % 20}` } },
        spec: {
          order: 100 + (i % 50),
          selector: `app == 'svc-${i}'`,
          types: ['Ingress', 'Egress'],
          ingress: [
            { action: 'Allow', protocol: 'TCP', source: { selector: `role == 'frontend-${i % 7}'` }, destination: { ports: [8080, 8443] } },
            { action: 'Deny' },
          ],
          egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53], nets: ['10.96.0.10/32'] } }],
        },
      }),
    );
  }
  return docs.join('---\n');
}

async function filesFor(n: number): Promise<SourceFile[]> {
  try {
    const shared = './generate-policies.js';
    const mod = (await import(shared)) as { generatePolicies?: (o: { count: number }) => SourceFile[] };
    if (typeof mod.generatePolicies === 'function') return mod.generatePolicies({ count: n });
  } catch {
    // The shared generator is optional; the local one writes comparable policies.
  }
  return [{ path: 'policies.yaml', content: policyYaml(n) }];
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
  const queue = [...plan.steps];
  const worker = async (): Promise<void> => {
    for (let step = queue.pop(); step; step = queue.pop()) {
      const kind = ctlKindByKind(step.manifest.kind, version);
      if (!kind) throw new Error(`no kind ${step.manifest.kind}`);
      const stored = toStorage({ object: step.manifest as unknown as CalicoObject, kind, version });
      const ns = step.manifest.metadata.namespace;
      await post(`/apis/crd.projectcalico.org/v1/${ns ? `namespaces/${ns}/` : ''}${kind.plural}`, stored);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(): Promise<Record<string, unknown>> {
  const version = parseCalicoVersion(VERSION) as CalicoVersion;
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
        const rss = n === 10_000 ? await rssChild(kubeconfig, n) : undefined;
        out[String(n)] = {
          policies: desired.resources.size,
          yamlParseMs: median(parse),
          populateSimulatorMs: populateMs,
          coldPlanMs: cold,
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
  return { calicoVersion: VERSION, targets: { warm10kMs: 500, warmVsParse: 2, rssMb: 250 }, results: out };
}

async function rssChild(kubeconfig: string, n: number): Promise<Record<string, number>> {
  const self = fileURLToPath(import.meta.url);
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const { stdout } = await promisify(execFile)(tsx, [self, '--rss-child', kubeconfig, String(n)], { maxBuffer: 1 << 20 });
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
  const desired = desiredFor(await filesFor(n), version);
  const plan = buildPlan({ desired, live, revision: 'bench', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
  global.gc?.();
  const mem = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ cached: live.size(), unchanged: plan.unchanged, rssStartMb: Math.round(rssStart / 1e6), rssMb: Math.round(mem.rss / 1e6), heapUsedMb: Math.round(mem.heapUsed / 1e6) })}\n`,
  );
  await live.stop();
}

if (process.argv[2] === '--rss-child') {
  await child(process.argv[3] ?? '', Number(process.argv[4] ?? '10000'));
  process.exit(0);
}
