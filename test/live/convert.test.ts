import { describe, expect, it } from 'vitest';
import { fromCrdObject, v3PolicyName } from '../../agent/live/convert-crd.js';
import { fromKubernetesNetworkPolicy } from '../../agent/live/convert-k8s.js';
import { fromV3Object } from '../../agent/live/convert-v3.js';
import { parseCalicoVersion, type CalicoVersion } from '../../agent/domain/calico-version.js';
import type { KindId } from '../../agent/domain/kinds.js';

const v = (text: string): CalicoVersion => parseCalicoVersion(text) ?? (() => { throw new Error(text); })();
const meta = (o: Record<string, unknown>): string => JSON.stringify(o);

describe('fromCrdObject names', () => {
  it.each<[string, KindId, string, Record<string, unknown> | undefined, string]>([
    // [version, kind, stored name, v3 metadata annotation, v3 name]
    ['v3.28.2', 'GlobalNetworkPolicy', 'default.allow-dns', { labels: {} }, 'allow-dns'],
    ['v3.28.2', 'NetworkPolicy', 'default.deny', undefined, 'deny'],
    ['v3.29.1', 'GlobalNetworkPolicy', 'default.allow-dns', undefined, 'allow-dns'],
    ['v3.29.1', 'GlobalNetworkPolicy', 'security.block', undefined, 'security.block'],
    ['v3.31.2', 'NetworkPolicy', 'default.web', { name: 'web' }, 'web'],
    ['v3.31.2', 'NetworkPolicy', 'platform.platform.web', { name: 'platform.web' }, 'platform.web'],
    ['v3.32.0', 'GlobalNetworkPolicy', 'allow-dns', { name: 'allow-dns' }, 'allow-dns'],
    ['v3.32.0', 'GlobalNetworkPolicy', 'default.legacy', undefined, 'legacy'],
    ['v3.32.0', 'GlobalNetworkPolicy', 'block', { name: 'block' }, 'block'],
    // Non-policy kinds keep their names whatever they look like.
    ['v3.28.2', 'GlobalNetworkSet', 'default.nets', undefined, 'default.nets'],
    ['v3.31.2', 'HostEndpoint', 'node1-eth0', undefined, 'node1-eth0'],
    ['v3.31.2', 'Tier', 'security', undefined, 'security'],
  ])('%s %s stored as %s', (version, kindId, storedName, v3Meta, want) => {
    const object = {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: kindId,
      metadata: { name: storedName, ...(v3Meta ? { annotations: { 'projectcalico.org/metadata': meta(v3Meta) } } : {}) },
      spec: {},
    };
    expect(fromCrdObject({ kindId, object, calicoVersion: v(version) })?.manifest.metadata.name).toBe(want);
  });

  it.each([
    [true, 'default.x', 'x'],
    [true, 'tier1.x', 'tier1.x'],
    [false, 'default.x', 'default.x'],
  ])('v3PolicyName(%s, %s) = %s', (isPolicy, stored, want) => {
    expect(v3PolicyName(isPolicy, stored)).toBe(want);
  });
});

describe('fromCrdObject metadata', () => {
  const stored = {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'default.web',
      namespace: 'test1',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'projectcalico.org/tier': 'default' },
      annotations: {
        'projectcalico.org/metadata': meta({
          name: 'web',
          labels: { app: 'web', 'projectcalico.org/tier': 'default' },
          annotations: {
            team: 'net',
            'calico-gitops.io/owner': 'calico-gitops',
            'calico-gitops.io/revision': 'abc',
            'calico-gitops.io/source': 'policies/web.yaml',
            'calico-gitops.io/spec-hash': 'h1',
          },
        }),
      },
    },
    spec: { tier: 'default', selector: "app == 'web'", types: ['Ingress'] },
  };

  it('restores the v3 shape: name, namespace, user labels and annotations, spec', () => {
    const c = fromCrdObject({ kindId: 'NetworkPolicy', object: stored, calicoVersion: v('v3.31.2') });
    expect(c).toEqual({
      kindId: 'NetworkPolicy',
      manifest: {
        apiVersion: 'projectcalico.org/v3',
        kind: 'NetworkPolicy',
        metadata: { name: 'web', namespace: 'test1', labels: { app: 'web' }, annotations: { team: 'net' } },
        spec: { tier: 'default', selector: "app == 'web'", types: ['Ingress'] },
      },
      bookkeeping: { owner: 'calico-gitops', revision: 'abc', source: 'policies/web.yaml', specHash: 'h1' },
      resourceVersion: '42',
      stored: { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', name: 'default.web', namespace: 'test1', uid: 'u-1' },
    });
  });

  it('does not mutate the stored object', () => {
    const copy = structuredClone(stored);
    fromCrdObject({ kindId: 'NetworkPolicy', object: stored, calicoVersion: v('v3.31.2') });
    expect(stored).toEqual(copy);
  });

  it('reads labels and annotations kept on the CRD object itself (other Calico versions)', () => {
    const object = {
      kind: 'GlobalNetworkSet',
      metadata: { name: 'nets', labels: { role: 'db' }, annotations: { 'calico-gitops.io/owner': 'x', note: 'n' } },
      spec: { nets: ['10.0.0.0/8'] },
    };
    const c = fromCrdObject({ kindId: 'GlobalNetworkSet', object, calicoVersion: v('v3.28.0') });
    expect(c?.manifest.metadata).toEqual({ name: 'nets', labels: { role: 'db' }, annotations: { note: 'n' } });
    expect(c?.bookkeeping).toEqual({ owner: 'x' });
  });

  it('treats a corrupt metadata annotation as absent', () => {
    const object = { metadata: { name: 'default.p', annotations: { 'projectcalico.org/metadata': '{not json' } }, spec: {} };
    expect(fromCrdObject({ kindId: 'GlobalNetworkPolicy', object, calicoVersion: v('v3.28.0') })?.manifest.metadata).toEqual({ name: 'p' });
  });

  it.each([[null], ['text'], [{}], [{ metadata: {} }]])('skips objects without a name: %j', (object) => {
    expect(fromCrdObject({ kindId: 'GlobalNetworkPolicy', object, calicoVersion: v('v3.31.0') })).toBeUndefined();
  });

  it('drops a namespace on cluster-scoped kinds', () => {
    const c = fromCrdObject({ kindId: 'HostEndpoint', object: { metadata: { name: 'h', namespace: 'x' }, spec: { node: 'n' } }, calicoVersion: v('v3.31.0') });
    expect(c?.manifest.metadata).toEqual({ name: 'h' });
  });
});

describe('fromV3Object', () => {
  it('keeps the v3 object, removing server fields and Calico-managed keys', () => {
    const c = fromV3Object({
      kindId: 'GlobalNetworkPolicy',
      object: {
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: {
          name: 'default.allow',
          uid: 'x',
          resourceVersion: '7',
          labels: { 'projectcalico.org/tier': 'default', a: 'b' },
          annotations: { 'calico-gitops.io/owner': 'calico-gitops' },
        },
        spec: { selector: 'all()' },
      },
    });
    expect(c?.manifest).toEqual({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'allow', labels: { a: 'b' } }, spec: { selector: 'all()' } });
    expect(c?.bookkeeping.owner).toBe('calico-gitops');
    expect(c?.resourceVersion).toBe('7');
  });
});

describe('fromKubernetesNetworkPolicy', () => {
  it('strips uid, resourceVersion, managedFields, generation, status and kubectl annotations', () => {
    const c = fromKubernetesNetworkPolicy({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'default.deny',
        namespace: 'test1',
        uid: 'u',
        resourceVersion: '9',
        generation: 2,
        creationTimestamp: '2026-01-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl-create', operation: 'Update', time: '2026-01-01T00:00:00Z' }],
        labels: { app: 'x' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'calico-gitops.io/owner': 'calico-gitops',
          'calico-gitops.io/spec-hash': 'abc',
        },
      },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
      status: {},
    });
    expect(c).toEqual({
      kindId: 'KubernetesNetworkPolicy',
      manifest: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        // Kubernetes names are never rewritten, even with a `default.` prefix.
        metadata: { name: 'default.deny', namespace: 'test1', labels: { app: 'x' } },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
      bookkeeping: { owner: 'calico-gitops', specHash: 'abc' },
      resourceVersion: '9',
      // Not part of the manifest: who wrote it last and where it is stored, for drift reports.
      stored: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'default.deny', namespace: 'test1', uid: 'u' },
      lastWrite: { manager: 'kubectl-create', operation: 'Update', time: '2026-01-01T00:00:00Z' },
    });
  });
});
