// `npm run bench -- connectivity`: 10,000 pods in 500 label classes (50 namespaces x 10 apps),
// 2,000 policies (1,900 NetworkPolicies, 100 GlobalNetworkPolicies in a tier before the default
// one, with nets, namespace selectors and Pass), the full class-pair matrix with external CIDR
// peers. Target: analysis + matrix under 2 s, peak memory under 500 MB. Median of 3 runs after a
// warm-up; maxRssMb is the process's peak resident set.
import { performance } from 'node:perf_hooks';
import { analyzeConnectivity } from '../../agent/connectivity/analyze.js';
import { isEmptySet } from '../../agent/connectivity/connection-set.js';
import { parseWorkloads } from '../../agent/connectivity/workloads.js';
import { buildDesiredState } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION, type SourceFile } from '../../agent/domain/index.js';

const APPS = ['web', 'api', 'db', 'cache', 'worker', 'frontend', 'backend', 'queue', 'search', 'auth'];
const NAMESPACES = 50;
const PODS_PER_CLASS = 20;

function workloadItems(): unknown[] {
  const items: unknown[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `team-${n}`;
    items.push({ kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % 5}`, env: n % 2 === 0 ? 'prod' : 'dev' } } });
    APPS.forEach((app, a) => {
      for (let p = 0; p < PODS_PER_CLASS; p++) {
        items.push({
          kind: 'Pod',
          metadata: { name: `${app}-${p}`, namespace: ns, labels: { app, tier: a < 5 ? 'front' : 'back' } },
          spec: { serviceAccountName: 'default', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 + a }] }] },
        });
      }
    });
  }
  return items;
}

function policyFiles(): SourceFile[] {
  const docs: string[] = [];
  docs.push('apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n');
  for (let g = 0; g < 100; g++) {
    docs.push(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.guard-${g}
spec:
  tier: security
  order: ${g}
  selector: tier == '${g % 2 === 0 ? 'front' : 'back'}' && app == '${APPS[g % 10]}'
  namespaceSelector: team == 't${g % 5}'
  types: [Ingress, Egress]
  ingress:
  - action: Deny
    source:
      nets: [203.0.${g}.0/24]
  - action: Pass
  egress:
  - action: Deny
    protocol: TCP
    destination:
      nets: [198.51.${g}.0/24]
      ports: [${1000 + g}]
  - action: Pass
`);
  }
  for (let n = 0; n < NAMESPACES; n++) {
    for (let k = 0; k < 38; k++) {
      docs.push(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-${k}
  namespace: team-${n}
spec:
  order: ${100 + k}
  selector: app == '${APPS[k % 10]}'
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: app == '${APPS[(k + 1) % 10]}'
    destination:
      ports: [${8000 + k}, http]
  - action: Allow
    protocol: TCP
    source:
      namespaceSelector: team == 't${k % 5}'
      selector: tier == 'front'
    destination:
      ports: ['9000:9100']
  egress:
  - action: Allow
    protocol: UDP
    destination:
      ports: [53]
  - action: Allow
    protocol: TCP
    destination:
      selector: app == '${APPS[(k + 3) % 10]}'
      namespaceSelector: all()
`);
    }
  }
  const files: SourceFile[] = [];
  for (let i = 0; i < docs.length; i += 50) files.push({ path: `p${i / 50}.yaml`, content: docs.slice(i, i + 50).join('---\n') });
  return files;
}

const round = (n: number, d = 1) => Number(n.toFixed(d));

export async function run(): Promise<Record<string, unknown>> {
  const desired = buildDesiredState({ files: policyFiles(), calicoVersion: DEFAULT_CALICO_VERSION });
  if (desired.errors.length > 0) throw new Error(`bench policies invalid: ${desired.errors[0]?.message}`);
  const workloads = parseWorkloads(workloadItems(), { file: 'bench' }).workloads;
  const policies = [...desired.state.resources.values()];
  let figures: Record<string, number> = {};
  const once = () => {
    const start = performance.now();
    const analysis = analyzeConnectivity({ policies, workloads, calicoVersion: DEFAULT_CALICO_VERSION });
    const built = performance.now();
    let classPairs = 0;
    let allowedClassPairs = 0;
    let podPairsAllowed = 0;
    const entities = analysis.universe.entities;
    for (const src of entities) {
      for (const dst of entities) {
        if (src.kind === 'cidr' && dst.kind === 'cidr') continue;
        classPairs++;
        if (isEmptySet(analysis.allowed(src, dst))) continue;
        allowedClassPairs++;
        podPairsAllowed += src.members.length * dst.members.length - (src === dst ? src.members.length : 0);
      }
    }
    const end = performance.now();
    figures = {
      pods: workloads.pods.length,
      podClasses: entities.filter((e) => e.kind === 'pods').length,
      cidrPeers: entities.filter((e) => e.kind === 'cidr').length,
      policies: policies.filter((p) => p.kindId !== 'Tier').length,
      classPairs,
      allowedClassPairs,
      podPairsAllowed,
      buildMs: round(built - start),
      matrixMs: round(end - built),
      totalMs: round(end - start),
    };
  };
  once();
  const totals: number[] = [];
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < 3; i++) {
    once();
    totals.push(figures['totalMs'] ?? 0);
    runs.push(figures);
  }
  const median = [...runs].sort((a, b) => (a['totalMs'] ?? 0) - (b['totalMs'] ?? 0))[1] ?? figures;
  return {
    ...median,
    runsMs: totals,
    maxRssMb: round(process.resourceUsage().maxRSS / 1024),
    heapUsedMb: round(process.memoryUsage().heapUsed / 1024 / 1024),
    targets: { totalMs: 2000, maxRssMb: 500 },
  };
}
