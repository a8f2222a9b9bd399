// External CIDR peers, nets/notNets, network sets, host endpoints (failsafe, profiles,
// applyOnForward, preDNAT, doNotTrack, host-to-local-pod), and examples from Calico's and
// Kubernetes' documentation. Each claim once allowing and once denying.
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { AllowedSummary } from '../../agent/connectivity/connection-set.js';
import { ALL, NONE, pods, scenario, tcp } from './scenario.js';

const V4_ALL: AllowedSummary = { ...ALL, ICMPv6: false };
const FAILSAFE_IN: AllowedSummary = { ...NONE, TCP: '22,179,2379-2380,5473,6443,6666-6667', UDP: '68' };
const obj = (kind: string, name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  yaml.dump({ apiVersion: kind === 'KubernetesNetworkPolicy' ? 'networking.k8s.io/v1' : 'projectcalico.org/v3', kind: kind === 'KubernetesNetworkPolicy' ? 'NetworkPolicy' : kind, metadata: { name, ...extra }, spec });
const docs = (...d: string[]) => d.join('---\n');
const hep = (name: string, node: string, labels: Record<string, string> = { host: 'true' }, extra: Record<string, unknown> = {}) =>
  yaml.dump({ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name, labels }, spec: { node, interfaceName: 'eth0', expectedIPs: ['192.0.2.10'], ...extra } });
const partners = obj('GlobalNetworkSet', 'partners', { nets: ['198.51.100.0/24'] }, { labels: { role: 'partner' } });
const clientOut = (egress: unknown[]) => obj('GlobalNetworkPolicy', 'client-out', { selector: "app == 'client'", types: ['Egress'], egress });

const two = pods('a/client{app=client}', 'b/server{app=server}');
const onNode1 = pods('a/client{app=client}^node2', 'b/server{app=server}^node1');

interface Row {
  readonly name: string;
  readonly policies: string;
  readonly workloads?: string;
  readonly from: string;
  readonly to: string;
  readonly expect: AllowedSummary;
  readonly extraCidrs?: string[];
}

const rows: Row[] = [
  // External peers and nets.
  { name: 'egress to nets allows that CIDR', policies: clientOut([{ action: 'Allow', destination: { nets: ['10.1.0.0/16'] } }]), from: 'a/client', to: '10.1.0.0/16', expect: V4_ALL },
  { name: 'egress to nets does not allow the rest of the internet', policies: clientOut([{ action: 'Allow', destination: { nets: ['10.1.0.0/16'] } }]), from: 'a/client', to: '0.0.0.0/0', expect: NONE },
  { name: 'notNets excludes the CIDR', policies: clientOut([{ action: 'Allow', destination: { notNets: ['10.1.0.0/16'] } }]), from: 'a/client', to: '10.1.0.0/16', expect: NONE },
  { name: 'notNets allows everything else', policies: clientOut([{ action: 'Allow', destination: { notNets: ['10.1.0.0/16'] } }]), from: 'a/client', to: '0.0.0.0/0', expect: V4_ALL },
  { name: 'a more specific CIDR inside an allowed net is allowed too', policies: clientOut([{ action: 'Deny', destination: { nets: ['10.1.2.0/24'] } }, { action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }]), from: 'a/client', to: '10.0.0.0/8', expect: V4_ALL },
  { name: 'a denied CIDR inside an allowed net stays denied', policies: clientOut([{ action: 'Deny', destination: { nets: ['10.1.2.0/24'] } }, { action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }]), from: 'a/client', to: '10.1.2.0/24', expect: NONE },
  { name: 'an IPv6 CIDR peer has ICMPv6, not ICMP', policies: clientOut([{ action: 'Allow', destination: { nets: ['2001:db8::/32'] } }]), from: 'a/client', to: '2001:db8::/32', expect: { ...ALL, ICMP: false } },
  { name: 'pod IPs in nets: a pod whose IP is in the net matches', workloads: `${two}---\n${yaml.dump({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ipd', namespace: 'b', labels: { app: 'ipd' } }, spec: {}, status: { podIP: '10.1.0.5' } })}`, policies: clientOut([{ action: 'Allow', destination: { nets: ['10.1.0.0/16'] } }]), from: 'a/client', to: 'b/ipd', expect: ALL },
  { name: 'pod IPs in nets: a pod without an IP in the net does not', policies: clientOut([{ action: 'Allow', destination: { nets: ['10.1.0.0/16'] } }]), from: 'a/client', to: 'b/server', expect: NONE },
  // Network sets.
  { name: 'a selector matching a GlobalNetworkSet matches its nets', policies: docs(partners, clientOut([{ action: 'Allow', destination: { selector: "role == 'partner'" } }])), from: 'a/client', to: '198.51.100.0/24', expect: V4_ALL },
  { name: 'a selector matching a GlobalNetworkSet does not match other addresses', policies: docs(partners, clientOut([{ action: 'Allow', destination: { selector: "role == 'partner'" } }])), from: 'a/client', to: '0.0.0.0/0', expect: NONE },
  { name: 'global() in a NetworkPolicy namespaceSelector matches a GlobalNetworkSet', policies: docs(partners, obj('NetworkPolicy', 'in', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()', selector: "role == 'partner'" } }] }, { namespace: 'b' })), from: '198.51.100.0/24', to: 'b/server', expect: V4_ALL },
  { name: 'without namespaceSelector a NetworkPolicy selector does not match a GlobalNetworkSet', policies: docs(partners, obj('NetworkPolicy', 'in', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "role == 'partner'" } }] }, { namespace: 'b' })), from: '198.51.100.0/24', to: 'b/server', expect: NONE },
  { name: 'a NetworkSet in the policy namespace matches a NetworkPolicy selector', policies: docs(obj('NetworkSet', 'office', { nets: ['192.0.2.128/25'] }, { namespace: 'b', labels: { site: 'office' } }), obj('NetworkPolicy', 'in', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "site == 'office'" } }] }, { namespace: 'b' })), from: '192.0.2.128/25', to: 'b/server', expect: V4_ALL },
  { name: 'a NetworkSet in another namespace does not', policies: docs(obj('NetworkSet', 'office', { nets: ['192.0.2.128/25'] }, { namespace: 'a', labels: { site: 'office' } }), obj('NetworkPolicy', 'in', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "site == 'office'" } }] }, { namespace: 'b' })), from: '192.0.2.128/25', to: 'b/server', expect: NONE },
  // Host endpoints: traffic to the host itself.
  { name: 'a host endpoint no policy selects is closed except the failsafe ports', workloads: `${two}---\n${hep('h1', 'node1')}`, policies: '', from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: FAILSAFE_IN },
  { name: 'a host endpoint with the default-allow profile is open', workloads: `${two}---\n${hep('h1', 'node1', { host: 'true' }, { profiles: ['projectcalico-default-allow'] })}`, policies: '', from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: V4_ALL },
  { name: 'a GlobalNetworkPolicy all() selects host endpoints too (allow 443)', workloads: `${two}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'web', { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443] } }] }), from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: { ...FAILSAFE_IN, TCP: '22,179,443,2379-2380,5473,6443,6666-6667' } },
  { name: 'a NetworkPolicy never selects host endpoints', workloads: `${two}---\n${hep('h1', 'node1', { host: 'true' }, { profiles: ['projectcalico-default-allow'] })}`, policies: obj('NetworkPolicy', 'deny', { selector: 'all()', types: ['Ingress'] }, { namespace: 'b' }), from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: V4_ALL },
  { name: 'failsafe SSH stays open under a deny-all host policy', workloads: `${two}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'deny', { selector: 'has(host)', types: ['Ingress'], ingress: [{ action: 'Deny' }] }), from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: FAILSAFE_IN },
  // preDNAT and doNotTrack.
  { name: 'a preDNAT Allow skips the normal host policy that would deny', workloads: `${two}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'pre', { selector: 'has(host)', preDNAT: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8443] } }] }), from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: { ...FAILSAFE_IN, TCP: '22,179,2379-2380,5473,6443,6666-6667,8443' } },
  { name: 'a preDNAT Deny closes forwarded traffic to a pod behind the host endpoint', workloads: `${onNode1}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'pre', { selector: 'has(host)', preDNAT: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny', source: { nets: ['0.0.0.0/0'] } }] }), from: '0.0.0.0/0', to: 'b/server', expect: NONE },
  { name: 'a doNotTrack Allow opens a port the profile-less host would drop', workloads: `${two}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'raw', { selector: 'has(host)', doNotTrack: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [4789] } }] }), from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: { ...FAILSAFE_IN, UDP: '68,4789' } },
  { name: 'a doNotTrack Deny closes a port the default-allow profile would open', workloads: `${two}---\n${hep('h1', 'node1', { host: 'true' }, { profiles: ['projectcalico-default-allow'] })}`, policies: obj('GlobalNetworkPolicy', 'raw', { selector: 'has(host)', doNotTrack: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [443] } }] }), from: '0.0.0.0/0', to: 'hostendpoint/h1', expect: { ...V4_ALL, TCP: '1-442,444-65535' } },
  // applyOnForward.
  { name: 'forwarded traffic to a pod is allowed when no applyOnForward policy selects the host endpoint', workloads: `${onNode1}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'host', { selector: 'has(host)', types: ['Ingress'], ingress: [{ action: 'Deny' }] }), from: '0.0.0.0/0', to: 'b/server', expect: V4_ALL },
  { name: 'an applyOnForward policy on the host endpoint polices forwarded traffic to a pod', workloads: `${onNode1}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'host', { selector: 'has(host)', applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80] } }] }), from: '0.0.0.0/0', to: 'b/server', expect: tcp('80') },
  { name: 'an applyOnForward egress policy polices pod traffic leaving through the host endpoint', workloads: `${onNode1}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'host-out', { selector: 'has(host)', applyOnForward: true, types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }), from: 'b/server', to: '0.0.0.0/0', expect: { ...NONE, UDP: '53' } },
  { name: 'without applyOnForward the same egress policy leaves pod traffic alone', workloads: `${onNode1}---\n${hep('h1', 'node1')}`, policies: obj('GlobalNetworkPolicy', 'host-out', { selector: 'has(host)', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }), from: 'b/server', to: '0.0.0.0/0', expect: V4_ALL },
  // Host to its own pods.
  { name: 'a host always reaches its own pods', workloads: `${onNode1}---\n${hep('h1', 'node1', { host: 'true' }, { profiles: ['projectcalico-default-allow'] })}`, policies: obj('GlobalNetworkPolicy', 'deny', { selector: "app == 'server'", types: ['Ingress'] }), from: 'hostendpoint/h1', to: 'b/server', expect: ALL },
  { name: 'a host does not reach pods on other nodes past their policy', workloads: `${onNode1}---\n${hep('h1', 'node1', { host: 'true' }, { profiles: ['projectcalico-default-allow'] })}`, policies: obj('GlobalNetworkPolicy', 'deny', { selector: "app == 'client'", types: ['Ingress'] }), from: 'hostendpoint/h1', to: 'a/client', expect: NONE },
];

describe('external peers, network sets and host endpoints', () => {
  it.each(rows)('$name', (row) => {
    const s = scenario({ policies: row.policies, workloads: row.workloads ?? two, ...(row.extraCidrs ? { extraCidrs: row.extraCidrs } : {}) });
    expect(s.allowed(row.from, row.to)).toEqual(row.expect);
  });
});

// Calico's "Get started with Calico network policy" example (allow-tcp-6379).
const calicoExample = obj(
  'NetworkPolicy',
  'allow-tcp-6379',
  {
    selector: "role == 'database'",
    types: ['Ingress', 'Egress'],
    ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "role == 'frontend'" }, destination: { ports: [6379] } }],
    egress: [{ action: 'Allow' }],
  },
  { namespace: 'production' },
);
// The Kubernetes documentation's test-network-policy.
const k8sExample = obj(
  'KubernetesNetworkPolicy',
  'test-network-policy',
  {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }],
        ports: [{ protocol: 'TCP', port: 6379 }],
      },
    ],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
  },
  { namespace: 'default' },
);
const myproject = `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: mine, labels: {project: myproject}}\n`;

describe('documented examples', () => {
  it.each([
    { name: 'Calico: frontend reaches the database on TCP 6379', policies: calicoExample, workloads: pods('production/fe{role=frontend}', 'production/db{role=database}'), from: 'production/fe', to: 'production/db', expect: tcp('6379') },
    { name: 'Calico: another role does not reach the database', policies: calicoExample, workloads: pods('production/be{role=backend}', 'production/db{role=database}'), from: 'production/be', to: 'production/db', expect: NONE },
    { name: 'Calico: a frontend in another namespace does not reach the database', policies: calicoExample, workloads: pods('staging/fe{role=frontend}', 'production/db{role=database}'), from: 'staging/fe', to: 'production/db', expect: NONE },
    { name: 'Calico: the database may send anywhere', policies: calicoExample, workloads: pods('production/fe{role=frontend}', 'production/db{role=database}'), from: 'production/db', to: 'production/fe', expect: ALL },
    { name: 'Kubernetes: a frontend pod in the namespace reaches db on TCP 6379', policies: k8sExample, workloads: pods('default/fe{role=frontend}', 'default/db{role=db}'), from: 'default/fe', to: 'default/db', expect: tcp('6379') },
    { name: 'Kubernetes: a pod of a project=myproject namespace reaches db', policies: k8sExample, workloads: pods('mine/any{app=x}', 'default/db{role=db}') + myproject, from: 'mine/any', to: 'default/db', expect: tcp('6379') },
    { name: 'Kubernetes: a pod of another namespace does not', policies: k8sExample, workloads: pods('other/any{role=frontend}', 'default/db{role=db}'), from: 'other/any', to: 'default/db', expect: NONE },
    { name: 'Kubernetes: 172.17.0.0/16 reaches db', policies: k8sExample, workloads: pods('default/db{role=db}'), from: '172.17.0.0/16', to: 'default/db', expect: tcp('6379') },
    { name: 'Kubernetes: the except block 172.17.1.0/24 does not', policies: k8sExample, workloads: pods('default/db{role=db}'), from: '172.17.1.0/24', to: 'default/db', expect: NONE },
    { name: 'Kubernetes: db reaches 10.0.0.0/24 on TCP 5978', policies: k8sExample, workloads: pods('default/db{role=db}'), from: 'default/db', to: '10.0.0.0/24', expect: tcp('5978') },
    { name: 'Kubernetes: db reaches nothing else', policies: k8sExample, workloads: pods('default/fe{role=frontend}', 'default/db{role=db}'), from: 'default/db', to: 'default/fe', expect: NONE },
  ])('$name', (row) => {
    const s = scenario({ policies: row.policies, workloads: row.workloads });
    expect(s.allowed(row.from, row.to)).toEqual(row.expect);
  });
});

describe('why', () => {
  it('names the tier, policy, rule and action that allowed each direction', () => {
    const policies = docs(
      obj('GlobalNetworkPolicy', 'allow-db', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [5432] } }] }),
      clientOut([{ action: 'Deny', protocol: 'UDP' }, { action: 'Allow' }]),
    );
    const secondDocLine = policies.split('\n').indexOf('---') + 2;
    const s = scenario({ policies, workloads: two });
    expect(s.allowed('a/client', 'b/server')).toEqual(tcp('5432'));
    expect(s.why('a/client', 'b/server')).toEqual({
      egress: [{ by: 'GlobalNetworkPolicy/client-out egress[1]', connections: 'TCP 5432', tier: 'default', action: 'Allow', file: 'policies.yaml', line: secondDocLine }],
      ingress: [{ by: 'GlobalNetworkPolicy/allow-db ingress[0]', connections: 'TCP 5432', tier: 'default', action: 'Allow', file: 'policies.yaml', line: 1 }],
    });
  });

  it('names the profile when no policy selects the pod', () => {
    const s = scenario({ policies: '', workloads: two });
    expect(s.why('a/client', 'b/server')).toEqual({ egress: [{ by: 'profile kns.a', connections: 'all' }], ingress: [{ by: 'profile kns.b', connections: 'all' }] });
  });
});
