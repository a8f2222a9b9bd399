// Declared intents: parsing with file and line, and checking both ways (held / violated).
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { analyzeConnectivity } from '../../agent/connectivity/analyze.js';
import { checkIntents, intentCidrs, parseIntents } from '../../agent/connectivity/intents.js';
import { parseWorkloads } from '../../agent/connectivity/workloads.js';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { pods } from './scenario.js';

const version = parseCalicoVersion('v3.31.0')!;
const workloads = `${pods('a/client{app=client}', 'a/client2{app=client}', 'b/server{app=server}')}---\n${yaml.dump({ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'h1', labels: { host: 'true' } }, spec: { node: 'n1', interfaceName: 'eth0' } })}`;
const denyB = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: close-b
spec:
  selector: app == 'server'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination:
        ports: [443]
`;

function check(intentsText: string, policies = denyB) {
  const parsed = parseIntents({ path: '.calico-gitops/intents.yaml', content: intentsText });
  const desired = buildDesiredState({ files: [{ path: 'p.yaml', content: policies }], calicoVersion: version });
  const w = parseWorkloads(yaml.loadAll(workloads), { file: 'w.yaml' });
  const analysis = analyzeConnectivity({ policies: [...desired.state.resources.values()], workloads: w.workloads, calicoVersion: version, extraCidrs: intentCidrs(parsed.intents) });
  return { parsed, ...checkIntents(analysis, parsed.intents) };
}

const intent = (fields: string) => `- name: it\n${fields}`;

describe('intents', () => {
  it.each([
    { name: 'deny holds when nothing of the set is allowed', text: intent('  from: {namespace: a}\n  to: {namespace: b}\n  protocol: UDP\n  expect: deny\n'), violated: false },
    { name: 'deny is violated when part of the set is allowed', text: intent('  from: {namespace: a}\n  to: {namespace: b}\n  expect: deny\n'), violated: true },
    { name: 'allow holds when the whole set is allowed', text: intent('  from: {namespace: a}\n  to: {selector: "app == \'server\'"}\n  protocol: TCP\n  port: 443\n  expect: allow\n'), violated: false },
    { name: 'allow is violated when part of the set is denied', text: intent('  from: {namespace: a}\n  to: {namespace: b}\n  protocol: TCP\n  port: "80,443"\n  expect: allow\n'), violated: true },
    { name: 'a CIDR peer: allowed to the open server', text: intent('  from: {cidr: 203.0.113.0/24}\n  to: {namespace: b}\n  protocol: TCP\n  port: 443\n  expect: allow\n'), violated: false },
    { name: 'a CIDR peer: the host endpoint keeps only failsafe ports, so 443 is denied', text: intent('  from: {cidr: 203.0.113.0/24}\n  to: {selector: has(host)}\n  protocol: TCP\n  port: 443\n  expect: allow\n'), violated: true },
    { name: 'namespaceSelector: pods of matching namespaces talk among themselves', text: intent('  from: {namespaceSelector: "kubernetes.io/metadata.name == \'a\'"}\n  to: {namespace: a}\n  expect: allow\n'), violated: false },
  ])('$name', ({ text, violated }) => {
    const r = check(text);
    expect(r.parsed.errors).toEqual([]);
    expect(r.errors.length > 0).toBe(violated);
  });

  it('names the intent, its file and line, and example peers with the deciding rule', () => {
    const r = check(`# comment\n- name: first\n  from: {namespace: a}\n  to: {namespace: a}\n  expect: allow\n- name: no-http-to-b\n  from: {namespace: a}\n  to: {namespace: b}\n  protocol: TCP\n  port: 80\n  expect: allow\n`);
    expect(r.errors).toEqual([
      {
        severity: 'error',
        file: '.calico-gitops/intents.yaml',
        line: 6,
        column: 1,
        path: '',
        code: 'intent',
        message: 'intent "no-http-to-b" (expect allow) is violated: a/client → b/server denies TCP 80 (denied by end of tier default (defaultAction Deny)); 1 more pair',
      },
    ]);
  });

  it('an intent that matches no peer is a warning, not a pass in silence', () => {
    const r = check(intent('  from: {namespace: nowhere}\n  to: {namespace: b}\n  expect: deny\n'));
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual(['intent "it": from (namespace: nowhere) matches no peer of the workloads, so it checks nothing']);
  });

  it.each([
    { text: '- name: x\n  from: {namespace: a}\n  to: {namespace: b}\n  expect: maybe\n', line: 4, message: 'expect must be allow or deny' },
    { text: '- name: x\n  from: {namespace: a}\n  to: {namespace: b}\n  port: 80\n  expect: deny\n', line: 4, message: 'a port needs protocol TCP, UDP or SCTP' },
    { text: '- name: x\n  from: {selector: "app =="}\n  to: {namespace: b}\n  expect: deny\n', line: 2, message: 'selector does not parse' },
    { text: '- name: x\n  from: {namespace: a}\n  to: {pod: b}\n  expect: deny\n', line: 3, message: 'unknown peer field "pod"' },
    { text: '- from: {namespace: a}\n  to: {namespace: b}\n  expect: deny\n', line: 1, message: 'an intent needs a name' },
  ])('refuses a bad intent at its line: $message', ({ text, line, message }) => {
    const r = parseIntents({ path: 'i.yaml', content: text });
    expect(r.intents).toEqual([]);
    expect(r.errors[0]?.line).toBe(line);
    expect(r.errors[0]?.message).toContain(message);
  });
});
