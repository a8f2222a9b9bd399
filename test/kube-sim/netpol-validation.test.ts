import { describe, expect, it } from 'vitest';
import { validateNetworkPolicy } from './netpol-validation.js';

const np = (spec: Record<string, unknown>): Record<string, unknown> => ({ spec: { podSelector: {}, ...spec } });

describe('Kubernetes NetworkPolicy validation', () => {
  it.each([
    ['an empty policy', np({}), []],
    ['ports and peers', np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { podSelector: { matchLabels: { app: 'a' } } }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }, { port: 'http' }] }] }), []],
    ['protocol ICMP', np({ ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] }), ['spec.ingress[0].ports[0].protocol: NotSupported ICMP supported values: "TCP", "UDP", "SCTP"']],
    ['port 0', np({ egress: [{ ports: [{ port: 0 }] }] }), ['spec.egress[0].ports[0].port: Invalid 0 must be between 1 and 65535, inclusive']],
    ['endPort below port', np({ egress: [{ ports: [{ port: 90, endPort: 80 }] }] }), ['spec.egress[0].ports[0].endPort: Invalid 90 must be greater than or equal to `port`']],
    ['endPort with a named port', np({ egress: [{ ports: [{ port: 'http', endPort: 80 }] }] }), ['spec.egress[0].ports[0].endPort: Invalid 80 may not be specified when `port` is non-numeric']],
    ['ipBlock with a selector', np({ egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }), ['spec.egress[0].to[0]: Forbidden  may not specify both ipBlock and another peer']],
    ['an empty peer', np({ ingress: [{ from: [{}] }] }), ['spec.ingress[0].from[0]: Required  must specify a peer']],
    ['a bad cidr', np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }), ['spec.ingress[0].from[0].ipBlock.cidr: Invalid 10.0.0.0/33 must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
    ['except outside cidr', np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] }), ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid 10.1.0.0/24 must be a strict subset of `cidr`']],
    ['IPv6 except inside cidr', np({ ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }] }), []],
    ['In without values', np({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }), ["spec.podSelector.matchExpressions[0].values: Required  must be specified when `operator` is 'In' or 'NotIn'"]],
    ['a bad policy type', np({ policyTypes: ['Ingress', 'Sideways'] }), ['spec.policyTypes[1]: NotSupported Sideways supported values: "Egress", "Ingress"']],
  ])('%s', (_what, policy, expected) => {
    const got = validateNetworkPolicy(policy).map((e) => `${e.field}: ${e.type} ${e.value === undefined ? '' : String(e.value)} ${e.detail ?? ''}`.trim());
    expect(got).toEqual(expected);
  });
});
