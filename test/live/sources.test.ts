import { describe, expect, it } from 'vitest';
import { liveSourcesFor } from '../../agent/live/sources.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import type { ApiMode } from '../../agent/domain/calico-version.js';

const sources = (v: string, apiMode: ApiMode) => liveSourcesFor({ calicoVersion: parseCalicoVersion(v)!, apiMode }).map((s) => s.label);

describe('liveSourcesFor', () => {
  it('reads CRD storage on crd clusters, only the kinds the version has, plus Kubernetes NetworkPolicies', () => {
    expect(sources('v3.28.2', 'crd')).toEqual([
      'crd.projectcalico.org/v1 globalnetworksets',
      'crd.projectcalico.org/v1 networksets',
      'crd.projectcalico.org/v1 globalnetworkpolicies',
      'crd.projectcalico.org/v1 networkpolicies',
      'networking.k8s.io/v1 networkpolicies',
      'crd.projectcalico.org/v1 hostendpoints',
    ]);
    expect(sources('v3.29.0', 'crd')).toContain('crd.projectcalico.org/v1 tiers');
    expect(sources('v3.29.0', 'crd')).not.toContain('crd.projectcalico.org/v1 stagednetworkpolicies');
    expect(sources('v3.30.0', 'crd')).toHaveLength(10);
  });

  it.each(['apiserver', 'native-v3'] as const)('reads projectcalico.org/v3 in %s mode', (mode) => {
    const labels = sources('v3.32.0', mode);
    expect(labels.filter((l) => l.startsWith('projectcalico.org/v3 '))).toHaveLength(9);
    expect(labels).toContain('networking.k8s.io/v1 networkpolicies');
  });

  it('converts with the storage rules of the mode', () => {
    const stored = { metadata: { name: 'default.p', annotations: { 'projectcalico.org/metadata': JSON.stringify({ name: 'p', labels: { a: 'b' } }) } }, spec: {} };
    const crd = liveSourcesFor({ calicoVersion: parseCalicoVersion('v3.31.0')!, apiMode: 'crd' }).find((s) => s.kindId === 'GlobalNetworkPolicy');
    const v3 = liveSourcesFor({ calicoVersion: parseCalicoVersion('v3.31.0')!, apiMode: 'apiserver' }).find((s) => s.kindId === 'GlobalNetworkPolicy');
    expect(crd?.convert(stored)?.manifest.metadata).toEqual({ name: 'p', labels: { a: 'b' } });
    // The API server already serves v3 objects: the annotation is Calico-managed, not metadata to unpack.
    expect(v3?.convert(stored)?.manifest.metadata).toEqual({ name: 'p' });
  });
});
