import { describe, it, expect } from 'vitest';
import { parseCalicoVersion } from '../../agent/domain/index.js';
import type { CalicoVersion } from '../../agent/domain/index.js';
import { CTL_KINDS } from './calico/ctl-kinds.js';
import type { CtlKind } from './calico/ctl-kinds.js';
import { METADATA_ANNOTATION, fromStorage, storedName, toStorage } from './calico/storage.js';

const v = (text: string): CalicoVersion => {
  const parsed = parseCalicoVersion(text);
  if (!parsed) throw new Error(text);
  return parsed;
};
const kind = (name: string): CtlKind => {
  const k = CTL_KINDS.find((c) => c.kind === name);
  if (!k) throw new Error(name);
  return k;
};

describe('stored CRD object names per Calico version', () => {
  it.each([
    ['v3.28.2', 'GlobalNetworkPolicy', 'allow-ssh', 'default', 'default.allow-ssh'],
    ['v3.29.0', 'GlobalNetworkPolicy', 'allow-ssh', 'default', 'default.allow-ssh'],
    ['v3.31.2', 'NetworkPolicy', 'deny', 'default', 'default.deny'],
    ['v3.31.2', 'GlobalNetworkPolicy', 'security.allow-dns', 'security', 'security.allow-dns'],
    ['v3.32.0', 'GlobalNetworkPolicy', 'allow-ssh', 'default', 'allow-ssh'],
    ['v3.32.0', 'GlobalNetworkPolicy', 'allow-dns', 'security', 'allow-dns'],
    ['v3.28.2', 'HostEndpoint', 'node1-eth0', 'default', 'node1-eth0'],
    ['v3.31.2', 'Tier', 'security', 'default', 'security'],
  ])('%s %s %s (tier %s) is stored as %s', (ver, k, name, tier, expected) => {
    expect(storedName({ kind: kind(k), name, tier, version: v(ver) })).toBe(expected);
  });
});

describe('v3 <-> storage conversion', () => {
  const policy = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: {
      name: 'allow-ssh',
      labels: { team: 'net' },
      annotations: { 'calico-gitops.io/owner': 'calico-gitops', 'projectcalico.org/keep': 'yes' },
    },
    spec: { selector: 'all()', types: ['Ingress'] },
  };

  it.each([
    ['v3.28.2', 'default.allow-ssh', false, undefined],
    ['v3.29.0', 'default.allow-ssh', false, 'default'],
    ['v3.30.3', 'default.allow-ssh', true, 'default'],
    ['v3.31.2', 'default.allow-ssh', true, 'default'],
    ['v3.32.0', 'allow-ssh', true, 'default'],
  ])('on %s stores %s, v3 name in metadata: %s, tier label %s', (ver, stored, nameInMeta, tierLabel) => {
    const crd = toStorage({ object: policy, kind: kind('GlobalNetworkPolicy'), version: v(ver) });
    const meta = crd['metadata'] as { name: string; labels?: Record<string, string>; annotations: Record<string, string> };
    expect(crd['apiVersion']).toBe('crd.projectcalico.org/v1');
    expect(meta.name).toBe(stored);
    // Only Calico's own keys stay on the CRD object; the user's go into the metadata annotation.
    expect(meta.annotations['calico-gitops.io/owner']).toBeUndefined();
    expect(meta.annotations['projectcalico.org/keep']).toBe('yes');
    expect(meta.labels?.['team']).toBeUndefined();
    expect(meta.labels?.['projectcalico.org/tier']).toBe(tierLabel);
    const v3meta = JSON.parse(meta.annotations[METADATA_ANNOTATION] ?? '{}') as Record<string, unknown>;
    expect(v3meta['name'] !== undefined).toBe(nameInMeta);
    expect(v3meta['labels']).toMatchObject({ team: 'net' });
    expect(v3meta['annotations']).toMatchObject({ 'calico-gitops.io/owner': 'calico-gitops' });

    const back = fromStorage({ object: { ...crd, metadata: { ...meta, resourceVersion: '7' } }, kind: kind('GlobalNetworkPolicy'), version: v(ver) });
    expect(back.apiVersion).toBe('projectcalico.org/v3');
    expect(back.metadata.name).toBe('allow-ssh');
    expect(back.metadata.resourceVersion).toBe('7');
    expect(back.metadata.labels).toMatchObject({ team: 'net' });
    expect(back.metadata.annotations).toMatchObject({ 'calico-gitops.io/owner': 'calico-gitops', 'projectcalico.org/keep': 'yes' });
    expect(back.spec).toMatchObject({ selector: 'all()' });
  });

  it('reads legacy default.-prefixed objects on v3.32 by their plain name', () => {
    const crd = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'default.old' }, spec: {} };
    expect(fromStorage({ object: crd, kind: kind('GlobalNetworkPolicy'), version: v('v3.32.0') }).metadata.name).toBe('old');
  });

  it('keeps tier-prefixed names of tiered policies on v3.31', () => {
    const crd = toStorage({
      object: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'security.deny', namespace: 'test1' }, spec: { tier: 'security' } },
      kind: kind('NetworkPolicy'),
      version: v('v3.31.2'),
    });
    expect(crd['metadata']).toMatchObject({ name: 'security.deny', namespace: 'test1', labels: { 'projectcalico.org/tier': 'security' } });
    expect(fromStorage({ object: crd, kind: kind('NetworkPolicy'), version: v('v3.31.2') }).metadata.name).toBe('security.deny');
  });
});
