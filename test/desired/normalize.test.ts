// Normalization: Calico's defaults, read-back shapes, idempotence, and the comparable hash.
import { describe, expect, it } from 'vitest';
import { buildDesiredState, normalizeManifest, resourceHash } from '../../agent/desired/index.js';
import { contentHash, DEFAULT_CALICO_VERSION, type JsonObject, type KindId, type Manifest } from '../../agent/domain/index.js';
import { generatePolicies } from '../../scripts/bench/generate-policies.js';

const calico = (kind: string, spec: JsonObject, metadata: Manifest['metadata'] = { name: 'p', namespace: 'ns' }): Manifest => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata,
  spec,
});
const k8s = (spec: JsonObject): Manifest => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns' }, spec });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('normalizeManifest applies Calico defaults', () => {
  it.each<[string, KindId, Manifest, JsonObject]>([
    ['types [Ingress] without rules', 'NetworkPolicy', calico('NetworkPolicy', { selector: 'all()' }), { selector: 'all()', tier: 'default', types: ['Ingress'] }],
    [
      'types [Egress] with only egress rules',
      'NetworkPolicy',
      calico('NetworkPolicy', { egress: [{ action: 'Allow' }] }),
      { egress: [{ action: 'Allow' }], tier: 'default', types: ['Egress'] },
    ],
    [
      'types [Ingress, Egress] with both',
      'GlobalNetworkPolicy',
      calico('GlobalNetworkPolicy', { ingress: [{ action: 'Deny' }], egress: [{ action: 'Allow' }] }),
      { egress: [{ action: 'Allow' }], ingress: [{ action: 'Deny' }], tier: 'default', types: ['Ingress', 'Egress'] },
    ],
    [
      'a written types is kept',
      'NetworkPolicy',
      calico('NetworkPolicy', { types: ['Egress', 'Ingress'], tier: 'security' }),
      { tier: 'security', types: ['Egress', 'Ingress'] },
    ],
    [
      'ports "80" and "80:80" become 80, ranges stay; numeric-string protocols become numbers',
      'NetworkPolicy',
      calico('NetworkPolicy', {
        types: ['Ingress'],
        ingress: [{ action: 'Allow', protocol: '6', notProtocol: 'UDP', destination: { ports: ['80', '80:80', '80:90', 'http', 443], notPorts: ['22'] } }],
      }),
      {
        ingress: [{ action: 'Allow', destination: { notPorts: [22], ports: [80, 80, '80:90', 'http', 443] }, notProtocol: 'UDP', protocol: 6 }],
        tier: 'default',
        types: ['Ingress'],
      },
    ],
    [
      'empty source/destination, nulls, false, "" and [] are dropped; list items stay',
      'GlobalNetworkPolicy',
      calico('GlobalNetworkPolicy', {
        selector: '',
        doNotTrack: false,
        order: 0,
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: {}, destination: { nets: [], selector: null } }, { action: 'Deny' }],
        egress: [],
      }),
      { ingress: [{ action: 'Allow' }, { action: 'Deny' }], order: 0, tier: 'default', types: ['Ingress'] },
    ],
    ['Tier defaultAction Deny', 'Tier', calico('Tier', { order: 100 }), { defaultAction: 'Deny', order: 100 }],
    ['Tier defaultAction kept, order 1000000 filled in (libcalico-go lib/resources/tier.go:27)', 'Tier', calico('Tier', { defaultAction: 'Pass' }), { defaultAction: 'Pass', order: 1_000_000 }],
    ['HostEndpoint numeric-string port protocol', 'HostEndpoint', calico('HostEndpoint', { node: 'n', ports: [{ name: 'x', port: 1, protocol: '17' }] }), { node: 'n', ports: [{ name: 'x', port: 1, protocol: 17 }] }],
    [
      'Kubernetes: podSelector {}, policyTypes [Ingress], port protocol TCP',
      'KubernetesNetworkPolicy',
      k8s({ ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] }),
      { ingress: [{ ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }], podSelector: {}, policyTypes: ['Ingress'] },
    ],
    [
      'Kubernetes: egress adds Egress; empty selectors that mean "all" stay; matchLabels {} goes',
      'KubernetesNetworkPolicy',
      k8s({ podSelector: { matchLabels: {} }, egress: [{ to: [{ namespaceSelector: {} }] }], ingress: [{}] }),
      { egress: [{ to: [{ namespaceSelector: {} }] }], ingress: [{}], podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    ],
  ])('%s', (_name, kindId, input, expectedSpec) => {
    const out = normalizeManifest(kindId, deepFreeze(input));
    expect(out.spec).toEqual(expectedSpec);
    // Keys sorted at every level.
    expect(JSON.stringify(out.spec)).toBe(JSON.stringify(expectedSpec, Object.keys(flatKeys(expectedSpec)).sort()));
  });

  it('keeps only user labels and annotations, and namespace only for namespaced kinds', () => {
    const out = normalizeManifest(
      'GlobalNetworkPolicy',
      calico('GlobalNetworkPolicy', {}, {
        name: 'p',
        namespace: 'ignored',
        labels: { 'projectcalico.org/tier': 'default', team: 'a' },
        annotations: {
          'calico-gitops.io/owner': 'calico-gitops',
          'calico-gitops.io/spec-hash': 'x',
          'projectcalico.org/metadata': '{}',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          note: 'kept',
        },
      }),
    );
    expect(out.metadata).toEqual({ name: 'p', labels: { team: 'a' }, annotations: { note: 'kept' } });
    expect(normalizeManifest('NetworkSet', calico('NetworkSet', {}, { name: 'x', namespace: 'ns', labels: {} })).metadata).toEqual({ name: 'x', namespace: 'ns' });
  });
});

function flatKeys(value: unknown, acc: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(value)) value.forEach((v) => flatKeys(v, acc));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      acc[k] = true;
      flatKeys(v, acc);
    }
  }
  return acc;
}

describe('normalization is idempotent and the hash compares like for like', () => {
  const generated = buildDesiredState({ files: generatePolicies({ count: 400, seed: 7 }), calicoVersion: DEFAULT_CALICO_VERSION });
  const resources = [...generated.state.resources.values()];

  it('generated repository is valid', () => {
    expect(generated.errors).toEqual([]);
    expect(resources).toHaveLength(400);
  });

  it('normalize(normalize(x)) equals normalize(x) for every generated resource', () => {
    for (const r of resources) {
      const again = normalizeManifest(r.kindId, r.manifest);
      expect(again).toEqual(r.manifest);
      expect(resourceHash(again)).toBe(r.hash);
    }
  });

  it('resourceHash is contentHash of {spec, labels, annotations}', () => {
    for (const r of resources) {
      const { spec, metadata } = r.manifest;
      expect(r.hash).toBe(contentHash({ spec, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} }));
    }
    const odd = normalizeManifest('GlobalNetworkSet', calico('GlobalNetworkSet', { nets: ['10.0.0.0/8'] }, { name: 'x', labels: { '10': 'a', '9': 'b', b: 'c', a: 'd' } }));
    expect(resourceHash(odd)).toBe(contentHash({ spec: odd.spec, labels: odd.metadata.labels, annotations: {} }));
  });

  it('bookkeeping annotations, Calico labels and a read-back shape do not change the hash; a spec change does', () => {
    const written = calico('NetworkPolicy', { selector: "app == 'a'", ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['80'] } }] });
    const readBack = calico(
      'NetworkPolicy',
      { tier: 'default', types: ['Ingress'], selector: "app == 'a'", ingress: [{ action: 'Allow', protocol: 'TCP', source: {}, destination: { ports: [80] } }] },
      { name: 'p', namespace: 'ns', labels: { 'projectcalico.org/tier': 'default' }, annotations: { 'calico-gitops.io/revision': 'abc' } },
    );
    const a = normalizeManifest('NetworkPolicy', written);
    const b = normalizeManifest('NetworkPolicy', readBack);
    expect(b).toEqual(a);
    expect(resourceHash(b)).toBe(resourceHash(a));
    const changed = normalizeManifest('NetworkPolicy', calico('NetworkPolicy', { ...written.spec, selector: "app == 'b'" }));
    expect(resourceHash(changed)).not.toBe(resourceHash(a));
  });
});
