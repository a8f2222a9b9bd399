// diffConnectivity's CIDR classes: both sides are analysed over the same external peers, those of
// each side's policy nets and network sets (a set a side declares wins over the workloads' one of
// the same name), so a set only one side has still splits the other side's peers the same way.
import { describe, expect, it } from 'vitest';
import { diffConnectivity } from '../../agent/connectivity/diff.js';
import type { PolicyInput } from '../../agent/connectivity/policy-model.js';
import { parseWorkloads, type NetworkSetInfo } from '../../agent/connectivity/workloads.js';
import { DEFAULT_CALICO_VERSION, type KindId } from '../../agent/domain/index.js';

const policy = (kindId: KindId, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): PolicyInput =>
  ({ kindId, manifest: { apiVersion: 'projectcalico.org/v3', kind: kindId, metadata: { name, labels }, spec } }) as PolicyInput;
const egressTo = (nets: string[]) => policy('GlobalNetworkPolicy', 'out', { selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets } }] });
const partners = (nets: string[]) => policy('GlobalNetworkSet', 'partners', { nets }, { role: 'partner' });
const workloads = (sets: NetworkSetInfo[] = []) => ({
  ...parseWorkloads(
    [
      { kind: 'Namespace', metadata: { name: 'a' } },
      { kind: 'Pod', metadata: { name: 'client', namespace: 'a', labels: { app: 'client' } }, spec: { serviceAccountName: 'default', containers: [{ name: 'c' }] }, status: { podIP: '10.9.0.5' } },
    ],
    { file: 'workloads.yaml' },
  ).workloads,
  networkSets: sets,
});

const cidrPeers = (d: ReturnType<typeof diffConnectivity>, side: 'before' | 'after') => d[side].universe.entities.filter((e) => e.kind === 'cidr').map((e) => e.title);

describe('diffConnectivity: the CIDR peers of both sides', () => {
  it.each<[string, Parameters<typeof diffConnectivity>[0], string[]]>([
    ['a policy net only after', { before: [], after: [egressTo(['10.1.0.0/16'])], workloads: workloads(), calicoVersion: DEFAULT_CALICO_VERSION }, ['0.0.0.0/0', '10.1.0.0/16']],
    ['a network set only before', { before: [partners(['198.51.100.0/24'])], after: [], workloads: workloads(), calicoVersion: DEFAULT_CALICO_VERSION }, ['0.0.0.0/0', '198.51.100.0/24']],
    [
      'a declared set wins over the workloads one on its side; the workloads one counts on the other',
      { before: [], after: [partners(['198.51.100.0/24'])], workloads: workloads([{ name: 'partners', labels: {}, nets: ['203.0.113.0/24'] }]), calicoVersion: DEFAULT_CALICO_VERSION },
      ['0.0.0.0/0', '198.51.100.0/24', '203.0.113.0/24'],
    ],
    [
      'a workloads set both sides override is no peer',
      { before: [partners(['198.51.100.0/24'])], after: [partners(['198.51.100.0/24'])], workloads: workloads([{ name: 'partners', labels: {}, nets: ['203.0.113.0/24'] }]), calicoVersion: DEFAULT_CALICO_VERSION },
      ['0.0.0.0/0', '198.51.100.0/24'],
    ],
    ['extra CIDRs are peers', { before: [], after: [], workloads: workloads(), calicoVersion: DEFAULT_CALICO_VERSION, extraCidrs: ['8.8.8.8/32'] }, ['0.0.0.0/0', '8.8.8.8/32']],
    ['pods and hosts only: no CIDR peers', { before: [partners(['198.51.100.0/24'])], after: [egressTo(['10.1.0.0/16'])], workloads: workloads(), calicoVersion: DEFAULT_CALICO_VERSION, podsAndHostsOnly: true }, []],
  ])('%s', (_name, input, expected) => {
    const d = diffConnectivity(input);
    expect(cidrPeers(d, 'before').sort()).toEqual([...expected].sort());
    expect(cidrPeers(d, 'after').sort()).toEqual([...expected].sort());
  });

  it('a net opened after is a change from the client to that peer only', () => {
    const d = diffConnectivity({ before: [egressTo(['10.2.0.0/16'])], after: [egressTo(['10.1.0.0/16', '10.2.0.0/16'])], workloads: workloads(), calicoVersion: DEFAULT_CALICO_VERSION });
    expect(d.changes.map((c) => [c.from, c.to, c.change])).toEqual([['a/client', '10.1.0.0/16', 'added']]);
  });
});
