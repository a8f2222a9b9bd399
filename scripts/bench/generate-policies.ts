// Deterministic generator of realistic policy repositories for benchmarks: a mix of every kind
// (mostly namespaced Calico NetworkPolicies, as real repositories are), grouped in files of one
// to four documents under one directory per namespace. Valid for the default Calico version.
import type { SourceFile } from '../../agent/domain/index.js';

export interface GeneratePoliciesOptions {
  /** Number of resources (documents) to generate. */
  readonly count: number;
  /** Same seed, same output. */
  readonly seed?: number;
  /**
   * Documents per file. Default: 1 to 4 consecutive documents of the same directory, which in
   * practice makes most files hold one document.
   */
  readonly documentsPerFile?: number;
}

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = ['web', 'api', 'db', 'cache', 'worker', 'frontend', 'backend', 'queue', 'search', 'auth'];
const TIERS = ['platform', 'security'];

export function generatePolicies(options: GeneratePoliciesOptions): SourceFile[] {
  const random = rng(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const namespaces = Math.max(1, Math.ceil(options.count / 40));
  const docs: { dir: string; text: string }[] = [];
  // Tiers first so that tiered policies resolve.
  for (const tier of TIERS) {
    docs.push({ dir: 'cluster', text: `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: ${tier}\nspec:\n  order: ${TIERS.indexOf(tier) * 100 + 100}\n  defaultAction: Pass\n` });
  }
  for (let i = docs.length; i < options.count; i++) {
    const ns = `team-${i % namespaces}`;
    const app = pick(APPS);
    const roll = random();
    if (roll < 0.55) docs.push({ dir: `namespaces/${ns}`, text: networkPolicy(i, ns, app) });
    else if (roll < 0.7) docs.push({ dir: 'cluster', text: globalPolicy(i, app) });
    else if (roll < 0.8) docs.push({ dir: `namespaces/${ns}`, text: kubernetesPolicy(i, ns, app) });
    else if (roll < 0.9) docs.push({ dir: `namespaces/${ns}`, text: networkSet(i, ns) });
    else if (roll < 0.95) docs.push({ dir: 'cluster', text: globalNetworkSet(i) });
    else docs.push({ dir: 'hosts', text: hostEndpoint(i) });
  }

  function networkPolicy(i: number, ns: string, app: string): string {
    const peer = pick(APPS);
    return `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-${app}-${i}
  namespace: ${ns}
  labels:
    app: ${app}
    owner: team-${i % 17}
spec:
  order: ${int(1, 1000)}
  selector: app == '${app}' && tier in {'frontend', 'backend'}
  types:
    - Ingress
    - Egress
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: app == '${peer}'
        namespaceSelector: projectcalico.org/name == '${ns}'
      destination:
        ports: [${int(1, 9000)}, "${int(10000, 20000)}:${int(20001, 30000)}", http]
    - action: Deny
      source:
        nets: [10.${int(0, 255)}.0.0/16]
  egress:
    - action: Allow
      protocol: UDP
      destination:
        selector: k8s-app == 'kube-dns'
        ports: [53]
    - action: Allow
      protocol: TCP
      destination:
        nets: ["192.168.${int(0, 255)}.0/24", 172.16.0.0/12]
        ports: [443]
`;
  }

  function globalPolicy(i: number, app: string): string {
    const tier = random() < 0.5 ? pick(TIERS) : undefined;
    const name = tier ? `${tier}.global-${app}-${i}` : `global-${app}-${i}`;
    return `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: ${name}
spec:
${tier ? `  tier: ${tier}\n` : ''}  order: ${int(1, 500)}
  selector: has(app) && app == '${app}'
  namespaceSelector: has(projectcalico.org/name) && projectcalico.org/name not in {'kube-system'}
  ingress:
    - action: Allow
      protocol: ICMP
      icmp:
        type: 8
    - action: Allow
      protocol: TCP
      source:
        selector: role == 'monitoring'
        namespaceSelector: global()
      destination:
        ports: [9100, 9090]
    - action: Deny
`;
  }

  function kubernetesPolicy(i: number, ns: string, app: string): string {
    return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: k8s-${app}-${i}
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      app: ${app}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: ${pick(APPS)}
      ports:
        - protocol: TCP
          port: ${int(1, 65535)}
`;
  }

  function networkSet(i: number, ns: string): string {
    return `apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata:
  name: partners-${i}
  namespace: ${ns}
  labels:
    role: partners
spec:
  nets:
    - 203.0.${int(0, 255)}.0/24
    - 198.51.${int(0, 255)}.${int(0, 255)}/32
    - "2001:db8:${int(0, 0xffff).toString(16)}::/48"
`;
  }

  function globalNetworkSet(i: number): string {
    return `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: trusted-${i}
  labels:
    role: trusted
spec:
  nets: [10.${int(0, 255)}.0.0/16, 192.168.${int(0, 255)}.0/24]
`;
  }

  function hostEndpoint(i: number): string {
    return `apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: node-${i}-eth0
  labels:
    host-endpoint: "true"
spec:
  node: node-${i}
  interfaceName: eth0
  expectedIPs: [10.0.${Math.floor(i / 250) % 256}.${(i % 250) + 1}]
  ports:
    - name: ssh
      protocol: TCP
      port: 22
`;
  }

  const files: SourceFile[] = [];
  let n = 0;
  const emit = (dir: string, group: readonly string[]) => {
    files.push({ path: `${dir}/policies-${String(n++).padStart(5, '0')}.yaml`, content: group.join('---\n') });
  };
  if (options.documentsPerFile !== undefined) {
    // Fixed size: all documents of a directory, in chunks.
    const byDir = new Map<string, string[]>();
    for (const d of docs) byDir.set(d.dir, [...(byDir.get(d.dir) ?? []), d.text]);
    for (const [dir, texts] of byDir) {
      for (let i = 0; i < texts.length; i += options.documentsPerFile) emit(dir, texts.slice(i, i + options.documentsPerFile));
    }
    return files;
  }
  // Group consecutive documents of the same directory into files of 1-4 documents.
  for (let i = 0; i < docs.length; ) {
    const first = docs[i] as { dir: string; text: string };
    const size = int(1, 4);
    const group = [first.text];
    for (let j = i + 1; j < docs.length && group.length < size && docs[j]?.dir === first.dir; j++) group.push((docs[j] as { text: string }).text);
    emit(first.dir, group);
    i += group.length;
  }
  return files;
}
