// One row per claim of Calico's evaluation model (CALICO.md, "How Calico evaluates policy"), each
// claim once where it allows and once where it denies.
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { AllowedSummary } from '../../agent/connectivity/connection-set.js';
import { ALL, NONE, pods, scenario, tcp } from './scenario.js';

const two = pods('a/client{app=client}', 'b/server{app=server}');
const tier = (name: string, order?: number, defaultAction?: string) =>
  yaml.dump({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { ...(order !== undefined ? { order } : {}), ...(defaultAction ? { defaultAction } : {}) } });
const gnp = (name: string, spec: Record<string, unknown>, kind = 'GlobalNetworkPolicy') => yaml.dump({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name }, spec });
const np = (ns: string, name: string, spec: Record<string, unknown>, kind = 'NetworkPolicy') =>
  yaml.dump({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name, namespace: ns }, spec });
const knp = (ns: string, name: string, spec: Record<string, unknown>) => yaml.dump({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
const docs = (...d: string[]) => d.join('---\n');
const serverIn = (action: string, extra: Record<string, unknown> = {}) => ({ selector: "app == 'server'", types: ['Ingress'], ingress: [{ action, ...extra }] });

interface Row {
  readonly name: string;
  readonly policies: string;
  readonly workloads?: string;
  readonly from?: string;
  readonly to?: string;
  readonly version?: string;
  readonly expect: AllowedSummary;
}

const rows: Row[] = [
  // Tiers by order.
  { name: 'tiers run by order: a lower-order tier that denies wins', policies: docs(tier('first', 10), tier('second', 20), gnp('first.deny', { tier: 'first', ...serverIn('Deny') }), gnp('second.allow', { tier: 'second', ...serverIn('Allow') })), expect: NONE },
  { name: 'tiers run by order: a lower-order tier that allows wins', policies: docs(tier('first', 10), tier('second', 20), gnp('first.allow', { tier: 'first', ...serverIn('Allow') }), gnp('second.deny', { tier: 'second', ...serverIn('Deny') })), expect: ALL },
  { name: 'tiers with equal order run by name (aa before bb: deny)', policies: docs(tier('aa', 10), tier('bb', 10), gnp('aa.deny', { tier: 'aa', ...serverIn('Deny') }), gnp('bb.allow', { tier: 'bb', ...serverIn('Allow') })), expect: NONE },
  { name: 'tiers with equal order run by name (aa before bb: allow)', policies: docs(tier('aa', 10), tier('bb', 10), gnp('aa.allow', { tier: 'aa', ...serverIn('Allow') }), gnp('bb.deny', { tier: 'bb', ...serverIn('Deny') })), expect: ALL },
  { name: 'a tier without order runs last (after the default tier: its deny never decides)', policies: docs(tier('late'), gnp('late.deny', { tier: 'late', ...serverIn('Deny') }), gnp('allow', serverIn('Allow'))), expect: ALL },
  { name: 'a tier with a low order runs before the default tier (deny)', policies: docs(tier('early', 1), gnp('early.deny', { tier: 'early', ...serverIn('Deny') }), gnp('allow', serverIn('Allow'))), expect: NONE },
  // Policies by order inside a tier.
  { name: 'policies run by order: order 1 deny before order 2 allow', policies: docs(gnp('z-deny', { order: 1, ...serverIn('Deny') }), gnp('a-allow', { order: 2, ...serverIn('Allow') })), expect: NONE },
  { name: 'policies run by order: order 1 allow before order 2 deny', policies: docs(gnp('z-allow', { order: 1, ...serverIn('Allow') }), gnp('a-deny', { order: 2, ...serverIn('Deny') })), expect: ALL },
  { name: 'a policy without order runs after ordered ones (deny at 100 wins)', policies: docs(gnp('a-allow', serverIn('Allow')), gnp('z-deny', { order: 100, ...serverIn('Deny') })), expect: NONE },
  { name: 'a policy without order runs after ordered ones (allow at 100 wins)', policies: docs(gnp('a-deny', serverIn('Deny')), gnp('z-allow', { order: 100, ...serverIn('Allow') })), expect: ALL },
  // Tie-break by version: v3.31 compares the stored name (NP "b/default.z" < GNP "default.a"), v3.32 the plain name ("a" < "z").
  { name: 'v3.31 tie-break by stored name: NetworkPolicy b/default.z before GlobalNetworkPolicy default.a', version: 'v3.31.0', policies: docs(gnp('a', { order: 5, ...serverIn('Deny') }), np('b', 'z', { order: 5, ...serverIn('Allow') })), expect: ALL },
  { name: 'v3.32 tie-break by name: GlobalNetworkPolicy a before NetworkPolicy z', version: 'v3.32.0', policies: docs(gnp('a', { order: 5, ...serverIn('Deny') }), np('b', 'z', { order: 5, ...serverIn('Allow') })), expect: NONE },
  // Actions.
  { name: 'Log continues to the next rule (then Deny)', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Log' }, { action: 'Deny' }] }), expect: NONE },
  { name: 'Log continues to the next rule (then Allow)', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Log' }, { action: 'Allow' }] }), expect: ALL },
  { name: 'Deny is final (a later Allow does not help)', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'TCP' }, { action: 'Allow' }] }), expect: { ...ALL, TCP: '' } },
  { name: 'Allow is final (a later Deny does not take it back)', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80] } }, { action: 'Deny' }] }), expect: tcp('80') },
  { name: 'Pass skips the rest of the tier to the next tier (which allows)', policies: docs(tier('sec', 10), gnp('sec.pass', { tier: 'sec', order: 1, ...serverIn('Pass') }), gnp('sec.deny', { tier: 'sec', order: 500, ...serverIn('Deny') }), gnp('allow', serverIn('Allow'))), expect: ALL },
  { name: 'Pass skips the rest of the tier to the next tier (which denies)', policies: docs(tier('sec', 10), gnp('sec.pass', { tier: 'sec', ...serverIn('Pass') }), gnp('deny', serverIn('Deny'))), expect: NONE },
  { name: 'Pass in the last tier goes to the profile (allow)', policies: gnp('pass', serverIn('Pass')), expect: ALL },
  { name: 'a policy whose rules all miss hands over to the next policy (allow)', policies: docs(gnp('miss', { order: 1, ...serverIn('Deny', { protocol: 'UDP' }) }), gnp('allow', { order: 2, ...serverIn('Allow') })), expect: { ...ALL, UDP: '' } },
  // A tier applies only if one of its policies selects the endpoint for that direction.
  { name: 'a tier whose policies select other endpoints is skipped (profile allows)', policies: docs(tier('sec', 10), gnp('sec.other', { tier: 'sec', selector: "app == 'nobody'", types: ['Ingress'], ingress: [{ action: 'Allow' }] })), expect: ALL },
  { name: 'a tier whose policy selects the endpoint ends in its default deny', policies: docs(tier('sec', 10), gnp('sec.only-udp', { tier: 'sec', ...serverIn('Allow', { protocol: 'UDP' }) })), expect: { ...NONE, UDP: '1-65535' } },
  { name: 'a tier whose policy selects the endpoint only for egress does not apply to ingress', policies: docs(tier('sec', 10), gnp('sec.egress', { tier: 'sec', selector: "app == 'server'", types: ['Egress'], egress: [{ action: 'Deny' }] })), expect: ALL },
  { name: 'a tier whose policy selects the endpoint for ingress applies to ingress', policies: docs(tier('sec', 10), gnp('sec.ingress', { tier: 'sec', selector: "app == 'server'", types: ['Ingress'], ingress: [] })), expect: NONE },
  { name: 'defaultAction Pass hands unmatched traffic to the next tier (allow)', policies: docs(tier('sec', 10, 'Pass'), gnp('sec.udp', { tier: 'sec', ...serverIn('Deny', { protocol: 'UDP' }) })), expect: { ...ALL, UDP: '' } },
  { name: 'defaultAction Deny drops unmatched traffic', policies: docs(tier('sec', 10, 'Deny'), gnp('sec.udp', { tier: 'sec', ...serverIn('Deny', { protocol: 'UDP' }) })), expect: NONE },
  // Profiles and staged policies.
  { name: 'a pod no policy selects is open (kns profile)', policies: gnp('p', { selector: "app == 'other'", types: ['Ingress'] }), expect: ALL },
  { name: 'a pod a policy selects is closed unless a rule allows', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'] }), expect: NONE },
  { name: 'staged policies are never enforced (StagedGlobalNetworkPolicy deny)', policies: gnp('p', serverIn('Deny'), 'StagedGlobalNetworkPolicy'), expect: ALL },
  { name: 'the same policy enforced denies', policies: gnp('p', serverIn('Deny')), expect: NONE },
  { name: 'staged NetworkPolicy is never enforced', policies: np('b', 'p', serverIn('Deny'), 'StagedNetworkPolicy'), expect: ALL },
  // Both ends.
  { name: "the source's egress must allow too", policies: docs(gnp('in', serverIn('Allow')), gnp('out', { selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP' }] })), expect: { ...NONE, UDP: '1-65535' } },
  { name: "the destination's ingress must allow too", policies: docs(gnp('in', serverIn('Allow', { protocol: 'TCP' })), gnp('out', { selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Allow' }] })), expect: tcp('1-65535') },
  // Kubernetes NetworkPolicy as Calico converts it.
  { name: 'a Kubernetes NetworkPolicy runs at order 1000: a Calico deny at 500 comes first', policies: docs(np('b', 'deny', { order: 500, ...serverIn('Deny') }), knp('b', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{}] })), expect: NONE },
  { name: 'a Kubernetes NetworkPolicy runs at order 1000: it allows before a Calico deny at 2000', policies: docs(np('b', 'deny', { order: 2000, ...serverIn('Deny') }), knp('b', 'allow', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{}] })), expect: ALL },
  { name: 'policyTypes [Egress] leaves ingress open', policies: knp('b', 'eg', { podSelector: {}, policyTypes: ['Egress'] }), expect: ALL },
  { name: 'policyTypes [Ingress] without rules closes ingress', policies: knp('b', 'in', { podSelector: {}, policyTypes: ['Ingress'] }), expect: NONE },
  { name: 'a Kubernetes port without protocol is TCP', policies: knp('b', 'in', { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] }), expect: tcp('8080') },
  { name: 'Kubernetes endPort gives a range', policies: knp('b', 'in', { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8010 }] }] }), expect: tcp('8000-8010') },
  // Namespace scoping.
  { name: 'a NetworkPolicy rule selector only sees its own namespace (client in another namespace: denied)', policies: np('b', 'p', serverIn('Allow', { source: { selector: "app == 'client'" } })), expect: NONE },
  { name: 'namespaceSelector all() widens a NetworkPolicy rule to every namespace', policies: np('b', 'p', serverIn('Allow', { source: { selector: "app == 'client'", namespaceSelector: 'all()' } })), expect: ALL },
  { name: 'a GlobalNetworkPolicy rule selector sees every namespace', policies: gnp('p', serverIn('Allow', { source: { selector: "app == 'client'" } })), expect: ALL },
  { name: 'namespaceSelector on namespace labels (matching)', policies: gnp('p', serverIn('Allow', { source: { namespaceSelector: "kubernetes.io/metadata.name == 'a'" } })), expect: ALL },
  { name: 'namespaceSelector on namespace labels (not matching)', policies: gnp('p', serverIn('Allow', { source: { namespaceSelector: "kubernetes.io/metadata.name == 'c'" } })), expect: NONE },
  { name: 'global() matches no pod', policies: gnp('p', serverIn('Allow', { source: { namespaceSelector: 'global()' } })), expect: NONE },
  { name: 'a rule with only nets is not namespace scoped (no selector field): nets miss an IP-less pod', policies: np('b', 'p', serverIn('Allow', { source: { notNets: ['10.0.0.0/8'] } })), expect: ALL },
  { name: 'notSelector in a NetworkPolicy scopes to the namespace (client elsewhere: denied)', policies: np('b', 'p', serverIn('Allow', { source: { notSelector: "app == 'x'" } })), expect: NONE },
  { name: 'GlobalNetworkPolicy namespaceSelector on the policy picks the endpoints (matching)', policies: gnp('p', { namespaceSelector: "kubernetes.io/metadata.name == 'b'", types: ['Ingress'] }), expect: NONE },
  { name: 'GlobalNetworkPolicy namespaceSelector on the policy picks the endpoints (other namespace)', policies: gnp('p', { namespaceSelector: "kubernetes.io/metadata.name == 'a'", types: ['Ingress'] }), expect: ALL },
  // Service accounts.
  {
    name: 'serviceAccountSelector selects by the service account labels (matching: closed)',
    workloads: `${pods('a/client{app=client}', 'b/server{app=server}@api')}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: b, labels: {role: api}}\n`,
    policies: gnp('p', { selector: 'all()', serviceAccountSelector: "role == 'api'", types: ['Ingress'] }),
    expect: NONE,
  },
  {
    name: 'serviceAccountSelector selects by the service account labels (not matching: open)',
    workloads: `${pods('a/client{app=client}', 'b/server{app=server}@api')}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: b, labels: {role: other}}\n`,
    policies: gnp('p', { selector: 'all()', serviceAccountSelector: "role == 'api'", types: ['Ingress'] }),
    expect: ALL,
  },
  { name: 'rule serviceAccounts.names matches the source account', workloads: pods('a/client{app=client}@front', 'b/server{app=server}'), policies: gnp('p', serverIn('Allow', { source: { serviceAccounts: { names: ['front'] } } })), expect: ALL },
  { name: 'rule serviceAccounts.names misses another account', workloads: pods('a/client{app=client}@back', 'b/server{app=server}'), policies: gnp('p', serverIn('Allow', { source: { serviceAccounts: { names: ['front'] } } })), expect: NONE },
  // Named ports.
  { name: 'a named port resolves on the destination pod', workloads: pods('a/client{app=client}', 'b/server{app=server}:http/TCP/8080'), policies: gnp('p', serverIn('Allow', { protocol: 'TCP', destination: { ports: ['http'] } })), expect: tcp('8080') },
  { name: 'a named port the destination does not have matches nothing', workloads: pods('a/client{app=client}', 'b/server{app=server}:metrics/TCP/9090'), policies: gnp('p', serverIn('Allow', { protocol: 'TCP', destination: { ports: ['http'] } })), expect: NONE },
  { name: 'a named port of another protocol does not resolve', workloads: pods('a/client{app=client}', 'b/server{app=server}:http/UDP/8080'), policies: gnp('p', serverIn('Allow', { protocol: 'TCP', destination: { ports: ['http'] } })), expect: NONE },
  { name: 'ports and notPorts: 80:90 minus 85', policies: gnp('p', serverIn('Allow', { protocol: 'TCP', destination: { ports: ['80:90'], notPorts: [85] } })), expect: tcp('80-84,86-90') },
  { name: 'notProtocol: everything but TCP', policies: gnp('p', serverIn('Allow', { notProtocol: 'TCP' })), expect: { ...ALL, TCP: '' } },
  { name: 'a numeric protocol (136, UDPLite) is one of the other protocols', policies: gnp('p', serverIn('Allow', { protocol: 136 })), expect: { ...NONE, other: true } },
  // ICMP.
  { name: 'ICMP type and code: only that pair is allowed', policies: gnp('p', serverIn('Allow', { protocol: 'ICMP', icmp: { type: 8, code: 0 } })), expect: { ...NONE, ICMP: true } },
  { name: 'notICMP type 8 then deny everything else: ICMP other types only', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'ICMP', notICMP: { type: 8 } }] }), expect: { ...NONE, ICMP: true } },
  { name: 'ICMP type 8 denied, all ICMP then allowed: ICMP still partly allowed', policies: gnp('p', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Deny', protocol: 'ICMP', icmp: { type: 8 } }, { action: 'Allow', protocol: 'ICMP' }] }), expect: { ...NONE, ICMP: true } },
  { name: 'ICMPv6 rule allows ICMPv6 and not ICMP', policies: gnp('p', serverIn('Allow', { protocol: 'ICMPv6' })), expect: { ...NONE, ICMPv6: true } },
  { name: 'ipVersion 6 rule leaves the IPv4 protocols out', policies: gnp('p', serverIn('Allow', { ipVersion: 6 })), expect: { ...NONE, ICMPv6: true } },
  { name: 'ipVersion 4 rule leaves ICMPv6 out', policies: gnp('p', serverIn('Allow', { ipVersion: 4 })), expect: { ...ALL, ICMPv6: false } },
];

describe('Calico evaluation semantics', () => {
  it.each(rows)('$name', (row) => {
    const s = scenario({ policies: row.policies, workloads: row.workloads ?? two, ...(row.version ? { version: row.version } : {}) });
    expect(s.allowed(row.from ?? 'a/client', row.to ?? 'b/server')).toEqual(row.expect);
  });
});

describe('namespace labels Calico adds', () => {
  it.each([
    { ns: 'a', expect: ALL },
    { ns: 'c', expect: NONE },
  ])('namespaceSelector projectcalico.org/name == $ns', ({ ns, expect: want }) => {
    const s = scenario({
      policies: gnp('p', serverIn('Allow', { source: { namespaceSelector: `projectcalico.org/name == '${ns}'` } })),
      workloads: two,
    });
    expect(s.allowed('a/client', 'b/server')).toEqual(want);
  });
});
