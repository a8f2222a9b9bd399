import { describe, it, expect } from 'vitest';
import type { JsonObject, JsonValue } from '../../agent/domain/index.js';
import { DEFAULT_CALICO_VERSION } from '../../agent/domain/index.js';
import type { DocumentView, RuleIssue } from '../../agent/desired/document.js';
import { formatPath } from '../../agent/desired/path.js';
import { validateKubernetesNetworkPolicy } from '../../agent/desired/rules/kubernetes-network-policy.js';

interface Seen {
  path: string;
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

/** Runs the rule on a document with the given spec and returns what it reported. */
function check(spec: JsonValue | undefined): Seen[] {
  const value: JsonObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'test1' },
    ...(spec === undefined ? {} : { spec }),
  };
  const seen: Seen[] = [];
  const doc: DocumentView = {
    file: 'policies/p.yaml',
    document: 0,
    value,
    calicoVersion: DEFAULT_CALICO_VERSION,
    lineOf: () => ({ line: 1, column: 1 }),
    report: (r: RuleIssue) => seen.push({ path: formatPath(r.path), code: r.code, severity: r.severity ?? 'error', message: r.message }),
  };
  validateKubernetesNetworkPolicy(doc);
  return seen;
}

const ingressFrom = (peer: JsonValue): JsonObject => ({ podSelector: {}, ingress: [{ from: [peer] }] });
const ingressPort = (port: JsonValue): JsonObject => ({ podSelector: {}, ingress: [{ ports: [port] }] });

describe('validateKubernetesNetworkPolicy: valid specs report nothing', () => {
  it.each<[string, JsonObject]>([
    ['deny all ingress', { podSelector: {} }],
    ['deny all, both directions', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }],
    ['allow all ingress', { podSelector: {}, ingress: [{}] }],
    ['null lists mean "not set"', { podSelector: {}, ingress: null, egress: null, policyTypes: null }],
    [
      'the Kubernetes docs example',
      {
        podSelector: { matchLabels: { role: 'db' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [
              { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
              { namespaceSelector: { matchLabels: { project: 'myproject' } } },
              { podSelector: { matchLabels: { role: 'frontend' } } },
            ],
            ports: [{ protocol: 'TCP', port: 6379 }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
      },
    ],
    ['port range', ingressPort({ protocol: 'TCP', port: 32000, endPort: 32768 })],
    ['endPort equal to port', ingressPort({ port: 80, endPort: 80 })],
    ['named port', ingressPort({ port: 'http-alt' })],
    ['15-character port name', ingressPort({ port: 'abcdefghij-1234' })],
    ['UDP and SCTP', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 9 }] }] }],
    ['protocol only', ingressPort({ protocol: 'UDP' })],
    ['null port entry (every TCP port)', ingressPort(null)],
    ['namespace and pod selector together (AND)', ingressFrom({ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } })],
    [
      'every selector operator',
      {
        podSelector: {
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['web', 'api'] },
            { key: 'tier', operator: 'NotIn', values: ['db'] },
            { key: 'example.com/debug', operator: 'Exists' },
            { key: 'legacy', operator: 'DoesNotExist', values: [] },
          ],
        },
      },
    ],
    ['empty label value', { podSelector: { matchLabels: { app: '' } } }],
    ['qualified label keys', { podSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'test1', 'a.b-c_d': 'X.y-z_9' } } }],
    ['IPv6 ipBlock', ingressFrom({ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48', '2001:db8::1/128'] } })],
    ['0.0.0.0/0 with except', ingressFrom({ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } })],
    ['IPv4-embedded IPv6', ingressFrom({ ipBlock: { cidr: '::ffff:10.0.0.0/104' } })],
  ])('%s', (_name, spec) => {
    expect(check(spec)).toEqual([]);
  });
});

describe('validateKubernetesNetworkPolicy: problems', () => {
  it.each<[string, JsonValue | undefined, Partial<Seen> & { message: string }]>([
    ['missing spec', undefined, { path: 'spec', code: 'required', message: 'spec is required' }],
    ['null spec', null, { path: 'spec', code: 'required', message: 'spec is required' }],
    ['spec not a mapping', ['x'], { path: 'spec', code: 'type', message: 'spec must be a mapping, found a list' }],
    ['missing podSelector', { ingress: [] }, { path: 'spec', code: 'required', message: 'spec.podSelector is required (write podSelector: {}' }],
    ['null podSelector', { podSelector: null }, { path: 'spec.podSelector', severity: 'warning', message: 'podSelector is null' }],
    ['podSelector as a string', { podSelector: 'app == "x"' }, { path: 'spec.podSelector', code: 'type', message: 'podSelector must be a mapping, found the string' }],
    ['unknown spec field with typo', { podSelector: {}, ingres: [] }, { path: 'spec.ingres', code: 'unknown-field', message: 'unknown field "ingres" (did you mean "ingress"?)' }],
    ['Calico field in a Kubernetes policy', { podSelector: {}, selector: 'all()' }, { path: 'spec.selector', code: 'unknown-field', message: '"selector" is a Calico field (apiVersion projectcalico.org/v3)' }],
    ['Calico "types"', { podSelector: {}, types: ['Ingress'] }, { path: 'spec.types', message: 'did you mean "policyTypes"?' }],
    ['case slip in a field name', { podselector: {} }, { path: 'spec.podselector', message: 'did you mean "podSelector"?' }],
    ['policy type in lower case', { podSelector: {}, policyTypes: ['ingress'] }, { path: 'spec.policyTypes[0]', code: 'policy-types', message: 'unsupported policy type "ingress" (did you mean "Ingress"?); supported values: "Ingress", "Egress"' }],
    ['unknown policy type', { podSelector: {}, policyTypes: ['Both'] }, { path: 'spec.policyTypes[0]', message: 'unsupported policy type "Both"; supported' }],
    ['three policy types', { podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }, { path: 'spec.policyTypes', message: 'may not specify more than two policyTypes' }],
    ['duplicate policy type', { podSelector: {}, policyTypes: ['Egress', 'Egress'] }, { path: 'spec.policyTypes[1]', severity: 'warning', message: 'duplicate policy type "Egress"' }],
    ['policyTypes not a list', { podSelector: {}, policyTypes: 'Ingress' }, { path: 'spec.policyTypes', code: 'type', message: 'policyTypes must be a list, found the string "Ingress"' }],
    ['egress rules switched off by policyTypes', { podSelector: {}, policyTypes: ['Ingress'], egress: [{}] }, { path: 'spec.egress', severity: 'warning', message: 'spec.egress has 1 rule but policyTypes does not include "Egress": Kubernetes ignores them' }],
    ['ingress rules switched off by policyTypes', { podSelector: {}, policyTypes: ['Egress'], ingress: [{}, {}] }, { path: 'spec.ingress', severity: 'warning', message: 'spec.ingress has 2 rules but' }],
    ['ingress not a list', { podSelector: {}, ingress: { from: [] } }, { path: 'spec.ingress', code: 'type', message: 'ingress must be a list, found a mapping' }],
    ['null rule', { podSelector: {}, ingress: [null] }, { path: 'spec.ingress[0]', severity: 'warning', message: 'an empty ingress rule allows all traffic' }],
    ['"to" in an ingress rule', { podSelector: {}, ingress: [{ to: [] }] }, { path: 'spec.ingress[0].to', code: 'unknown-field', message: '"to" belongs in egress rules' }],
    ['"from" in an egress rule', { podSelector: {}, egress: [{ from: [] }] }, { path: 'spec.egress[0].from', message: '"from" belongs in ingress rules' }],
    ['Calico action in a rule', { podSelector: {}, ingress: [{ action: 'Allow' }] }, { path: 'spec.ingress[0].action', message: 'Kubernetes NetworkPolicy rules only allow' }],
    ['protocol in lower case', ingressPort({ protocol: 'tcp', port: 80 }), { path: 'spec.ingress[0].ports[0].protocol', code: 'protocol', message: 'unsupported protocol "tcp" (did you mean "TCP"?); supported values: "TCP", "UDP", "SCTP"' }],
    ['ICMP', ingressPort({ protocol: 'ICMP' }), { path: 'spec.ingress[0].ports[0].protocol', message: 'unsupported protocol "ICMP"' }],
    ['protocol as a number', ingressPort({ protocol: 6 }), { path: 'spec.ingress[0].ports[0].protocol', code: 'type', message: 'protocol must be a string, found the number 6' }],
    ['port 0', ingressPort({ port: 0 }), { path: 'spec.ingress[0].ports[0].port', code: 'port', message: 'port 0: must be between 1 and 65535, inclusive' }],
    ['port 65536', ingressPort({ port: 65536 }), { path: 'spec.ingress[0].ports[0].port', message: 'port 65536: must be between 1 and 65535, inclusive' }],
    ['negative port', ingressPort({ port: -1 }), { path: 'spec.ingress[0].ports[0].port', message: 'must be between 1 and 65535' }],
    ['fractional port', ingressPort({ port: 80.5 }), { path: 'spec.ingress[0].ports[0].port', code: 'type', message: 'port must be an integer or a port name' }],
    ['quoted port number', ingressPort({ port: '80' }), { path: 'spec.ingress[0].ports[0].port', code: 'port', message: 'port name "80": must contain at least one letter (a-z) (a quoted number is read as a port name: write 80 without quotes)' }],
    ['port name in upper case', ingressPort({ port: 'HTTP' }), { path: 'spec.ingress[0].ports[0].port', message: 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' }],
    ['port name too long', ingressPort({ port: 'abcdefghij-12345' }), { message: 'must be no more than 15 characters' }],
    ['port name with double hyphen', ingressPort({ port: 'my--port' }), { message: 'must not contain consecutive hyphens' }],
    ['port name ending in a hyphen', ingressPort({ port: 'web-' }), { message: 'must not begin or end with a hyphen' }],
    ['empty port name', ingressPort({ port: '' }), { path: 'spec.ingress[0].ports[0].port', message: 'port name ""' }],
    ['port as a list', ingressPort({ port: [80] }), { code: 'type', message: 'port must be an integer or a port name, found a list' }],
    ['endPort below port', ingressPort({ port: 100, endPort: 99 }), { path: 'spec.ingress[0].ports[0].endPort', code: 'port', message: 'endPort (99) must be greater than or equal to port (100)' }],
    ['endPort without port', ingressPort({ endPort: 99 }), { path: 'spec.ingress[0].ports[0].endPort', message: 'endPort may not be specified when port is not specified' }],
    ['endPort with a named port', ingressPort({ port: 'http', endPort: 99 }), { path: 'spec.ingress[0].ports[0].endPort', message: 'endPort may not be specified when port is non-numeric' }],
    ['endPort out of range', ingressPort({ port: 100, endPort: 70000 }), { path: 'spec.ingress[0].ports[0].endPort', message: 'endPort 70000: must be between 1 and 65535' }],
    ['endPort as a string', ingressPort({ port: 100, endPort: '200' }), { path: 'spec.ingress[0].ports[0].endPort', code: 'type', message: 'endPort must be an integer, found the string "200"' }],
    ['port with a name field', ingressPort({ name: 'http', port: 80 }), { path: 'spec.ingress[0].ports[0].name', code: 'unknown-field', message: 'a NetworkPolicy port has no name' }],
    ['empty peer', ingressFrom({}), { path: 'spec.ingress[0].from[0]', code: 'peer', message: 'a peer must specify podSelector, namespaceSelector or ipBlock' }],
    ['null peer', ingressFrom(null), { path: 'spec.ingress[0].from[0]', code: 'peer', message: 'a peer must specify' }],
    ['ipBlock with podSelector', ingressFrom({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }), { path: 'spec.ingress[0].from[0]', code: 'peer', message: 'a peer may not specify both ipBlock and podSelector (make them separate list entries to allow either)' }],
    ['peer "selector"', ingressFrom({ selector: {} }), { path: 'spec.ingress[0].from[0].selector', message: 'did you mean "podSelector"?' }],
    ['ipBlock without cidr', ingressFrom({ ipBlock: { except: ['10.0.0.0/8'] } }), { path: 'spec.ingress[0].from[0].ipBlock', code: 'required', message: 'ipBlock.cidr is required' }],
    ['ipBlock with empty cidr', ingressFrom({ ipBlock: { cidr: '' } }), { path: 'spec.ingress[0].from[0].ipBlock.cidr', code: 'required' , message: 'ipBlock.cidr is required'}],
    ['cidr without a prefix length', ingressFrom({ ipBlock: { cidr: '10.0.0.1' } }), { path: 'spec.ingress[0].from[0].ipBlock.cidr', code: 'cidr', message: '"10.0.0.1" is not a valid CIDR: the "/prefix-length" is missing' }],
    ['cidr with a bad address', ingressFrom({ ipBlock: { cidr: '10.0.0.256/24' } }), { code: 'cidr', message: '"10.0.0.256" is not an IP address' }],
    ['cidr with a bad prefix', ingressFrom({ ipBlock: { cidr: '10.0.0.0/33' } }), { code: 'cidr', message: 'the prefix length must be a number from 0 to 32 for IPv4' }],
    ['IPv6 cidr with a bad prefix', ingressFrom({ ipBlock: { cidr: '2001:db8::/129' } }), { message: 'from 0 to 128 for IPv6' }],
    ['cidr with a zone', ingressFrom({ ipBlock: { cidr: 'fe80::1%eth0/64' } }), { code: 'cidr', message: 'is not an IP address' }],
    ['cidr with host bits', ingressFrom({ ipBlock: { cidr: '10.1.2.3/8' } }), { path: 'spec.ingress[0].from[0].ipBlock.cidr', severity: 'warning', message: '"10.1.2.3/8" has host bits set; it means 10.0.0.0/8' }],
    ['cidr with a leading zero', ingressFrom({ ipBlock: { cidr: '010.0.0.0/8' } }), { severity: 'warning', message: 'leading zero; Kubernetes reads it as decimal (10.0.0.0/8)' }],
    ['except outside cidr', ingressFrom({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }), { path: 'spec.ingress[0].from[0].ipBlock.except[0]', code: 'cidr', message: 'except "10.1.0.0/24" must be a strict subset of cidr "10.0.0.0/16"' }],
    ['except equal to cidr', ingressFrom({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16'] } }), { path: 'spec.ingress[0].from[0].ipBlock.except[0]', message: 'must be a strict subset' }],
    ['except of the other family', ingressFrom({ ipBlock: { cidr: '0.0.0.0/0', except: ['::/0'] } }), { message: 'except "::/0" must be a strict subset of cidr "0.0.0.0/0"' }],
    ['invalid except', ingressFrom({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/x'] } }), { path: 'spec.ingress[0].from[0].ipBlock.except[0]', code: 'cidr', message: 'the prefix length must be a number' }],
    ['ipBlock "cidrs"', ingressFrom({ ipBlock: { cidr: '10.0.0.0/8', cidrs: [] } }), { path: 'spec.ingress[0].from[0].ipBlock.cidrs', message: 'did you mean "cidr"?' }],
    ['label key with two slashes', { podSelector: { matchLabels: { 'a/b/c': 'x' } } }, { path: 'spec.podSelector.matchLabels["a/b/c"]', code: 'label', message: 'label key "a/b/c": a qualified name must consist of' }],
    ['label key with an upper-case prefix', { podSelector: { matchLabels: { 'Example.com/app': 'x' } } }, { code: 'label', message: 'label key "Example.com/app": prefix part a lowercase RFC 1123 subdomain' }],
    ['label key with an empty prefix', { podSelector: { matchLabels: { '/app': 'x' } } }, { message: 'prefix part must be non-empty' }],
    ['label key too long', { podSelector: { matchLabels: { ['k'.repeat(64)]: 'x' } } }, { message: 'name part must be no more than 63 characters' }],
    ['label value with a space', { podSelector: { matchLabels: { app: 'my app' } } }, { path: 'spec.podSelector.matchLabels.app', code: 'label', message: 'label value "my app": a valid label must be an empty string or consist of' }],
    ['label value too long', { podSelector: { matchLabels: { app: 'v'.repeat(64) } } }, { message: 'must be no more than 63 characters' }],
    ['label value as a number', { podSelector: { matchLabels: { version: 2 } } }, { path: 'spec.podSelector.matchLabels.version', code: 'type', message: 'the value of label "version" must be a string, found the number 2 (quote it: "2")' }],
    ['label value as a boolean', { podSelector: { matchLabels: { enabled: true } } }, { code: 'type', message: '(quote it: "true")' }],
    ['label value null', { podSelector: { matchLabels: { app: null } } }, { code: 'type', message: 'the value of label "app" is null' }],
    ['matchLabels as a list', { podSelector: { matchLabels: ['app=web'] } }, { path: 'spec.podSelector.matchLabels', code: 'type', message: 'podSelector.matchLabels must be a mapping, found a list' }],
    ['matchLabel typo', { podSelector: { matchLabel: { app: 'web' } } }, { path: 'spec.podSelector.matchLabel', message: 'did you mean "matchLabels"?' }],
    ['In without values', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }, { path: 'spec.podSelector.matchExpressions[0]', code: 'required', message: "values must be specified when operator is 'In'" }],
    ['NotIn with empty values', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: [] }] } }, { path: 'spec.podSelector.matchExpressions[0].values', message: "values must be specified when operator is 'NotIn'" }],
    ['Exists with values', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } }, { path: 'spec.podSelector.matchExpressions[0].values', message: "values may not be specified when operator is 'Exists'" }],
    ['operator in lower case', { podSelector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['x'] }] } }, { path: 'spec.podSelector.matchExpressions[0].operator', message: '"in" is not a valid selector operator (did you mean "In"?)' }],
    ['missing operator', { podSelector: { matchExpressions: [{ key: 'app', values: ['x'] }] } }, { code: 'required', message: 'operator is required' }],
    ['missing key', { podSelector: { matchExpressions: [{ operator: 'Exists' }] } }, { code: 'required', message: 'key is required' }],
    ['invalid expression key', { podSelector: { matchExpressions: [{ key: 'bad key', operator: 'Exists' }] } }, { path: 'spec.podSelector.matchExpressions[0].key', code: 'label', message: 'key "bad key": name part must consist of' }],
    ['invalid expression value', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['-x'] }] } }, { path: 'spec.podSelector.matchExpressions[0].values[0]', code: 'label', message: 'value "-x"' }],
    ['numeric expression value', { podSelector: { matchExpressions: [{ key: 'v', operator: 'In', values: [1] }] } }, { path: 'spec.podSelector.matchExpressions[0].values[0]', code: 'type', message: 'a selector value must be a string, found the number 1' }],
    ['"value" instead of "values"', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', value: 'x' }] } }, { path: 'spec.podSelector.matchExpressions[0].value', message: 'did you mean "values"?' }],
    ['bad namespaceSelector in a peer', ingressFrom({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'test 1' } }, podSelector: { matchExpressions: [] } }), { path: 'spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]', code: 'label' , message: 'label value "test 1"'}],
  ])('%s', (_name, spec, expected) => {
    const seen = check(spec);
    const { message, ...rest } = expected;
    const hit = seen.find((s) => s.message.includes(message));
    expect(hit, `reported: ${JSON.stringify(seen, null, 1)}`).toBeDefined();
    expect(hit).toMatchObject({ severity: 'error', ...rest });
  });
});

describe('validateKubernetesNetworkPolicy: every problem at once', () => {
  it('reports each broken field of one document, in document order', () => {
    const seen = check({
      podSelector: { matchLabels: { app: 'web server' } },
      policyTypes: ['Ingress', 'egress'],
      ingress: [{ from: [{}], ports: [{ protocol: 'tcp', port: 0 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }], ports: [{ port: 'HTTP', endPort: 90 }] }],
    });
    expect(seen.map((s) => `${s.path} ${s.code}`)).toEqual([
      'spec.podSelector.matchLabels.app label',
      'spec.policyTypes[1] policy-types',
      'spec.ingress[0].ports[0].protocol protocol',
      'spec.ingress[0].ports[0].port port',
      'spec.ingress[0].from[0] peer',
      'spec.egress[0].ports[0].port port',
      'spec.egress[0].ports[0].endPort port',
      'spec.egress[0].to[0].ipBlock.except[0] cidr',
    ]);
  });

  it('says once, not twice, that a misspelt podSelector is missing', () => {
    expect(check({ podSelecter: {} }).map((s) => s.message)).toEqual([
      'unknown field "podSelecter" (did you mean "podSelector"?); known fields here: podSelector, policyTypes, ingress, egress',
    ]);
  });

  it('does not change the document it reads', () => {
    const spec: JsonObject = { podSelector: { matchLabels: { app: 'x y' } }, ingress: [{ from: [{}] }] };
    const before = JSON.stringify(spec);
    check(spec);
    expect(JSON.stringify(spec)).toBe(before);
  });
});
