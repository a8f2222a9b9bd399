// networking.k8s.io/v1 NetworkPolicy spec rules, as k8s.io/kubernetes
// pkg/apis/networking/validation (ValidateNetworkPolicySpec, ...Port, ...Peer, ValidateIPBlock)
// and kubectl's strict decoding (unknown fields, wrong types) would judge them. Warnings cover
// what Kubernetes accepts but almost certainly is not meant: rules that policyTypes switches off,
// CIDRs with host bits set or leading zeros, duplicate policy types.
//
// Scope: `spec` and everything below it. The document's apiVersion/kind/metadata are the
// desired stage's common rules.
import type { JsonObject, JsonValue } from '../../domain/index.js';
import { closest } from '../did-you-mean.js';
import type { DocumentView, Path } from '../document.js';
import { formatCidr, isStrictSubset, parseCidr } from './k8s-cidr.js';
import type { Cidr } from './k8s-cidr.js';
import { checkKnownFields, describeValue, listAt, nearestField, objectAt, stringAt } from './k8s-fields.js';
import { validateLabelSelector } from './k8s-label-selector.js';
import { checkPortName, checkPortNumber } from './k8s-names.js';

export const K8S_POLICY_TYPES = ['Ingress', 'Egress'] as const;
export const K8S_NETWORK_POLICY_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

type Direction = 'ingress' | 'egress';

const SPEC_FIELDS = ['podSelector', 'policyTypes', 'ingress', 'egress'] as const;
const RULE_FIELDS: Readonly<Record<Direction, readonly string[]>> = {
  ingress: ['ports', 'from'],
  egress: ['ports', 'to'],
};
const PORT_FIELDS = ['protocol', 'port', 'endPort'] as const;
const PEER_FIELDS = ['podSelector', 'namespaceSelector', 'ipBlock'] as const;
const IP_BLOCK_FIELDS = ['cidr', 'except'] as const;

const CALICO = 'apiVersion projectcalico.org/v3';
const SPEC_HINTS: Readonly<Record<string, string>> = {
  selector: `Kubernetes NetworkPolicy selects pods with "podSelector"; "selector" is a Calico field (${CALICO})`,
  types: 'did you mean "policyTypes"?',
  order: `Kubernetes NetworkPolicy has no order; that is a Calico field (${CALICO})`,
  tier: `Kubernetes NetworkPolicy has no tier; that is a Calico field (${CALICO})`,
  serviceAccountSelector: `a Calico field (${CALICO})`,
};
const RULE_HINTS: Readonly<Record<Direction, Readonly<Record<string, string>>>> = {
  ingress: {
    to: 'ingress rules name their peers in "from"; "to" belongs in egress rules',
    source: 'Kubernetes ingress rules use "from"',
    action: `Kubernetes NetworkPolicy rules only allow; "action" is a Calico rule field (${CALICO})`,
    protocol: 'protocol goes inside a "ports" entry',
    port: 'did you mean "ports"? (a list)',
  },
  egress: {
    from: 'egress rules name their peers in "to"; "from" belongs in ingress rules',
    destination: 'Kubernetes egress rules use "to"',
    action: `Kubernetes NetworkPolicy rules only allow; "action" is a Calico rule field (${CALICO})`,
    protocol: 'protocol goes inside a "ports" entry',
    port: 'did you mean "ports"? (a list)',
  },
};
const PORT_HINTS: Readonly<Record<string, string>> = {
  name: 'a NetworkPolicy port has no name; put a named port in "port"',
  ports: 'did you mean "port"?',
  targetPort: 'NetworkPolicy ports match the pod port: use "port"',
};
const PEER_HINTS: Readonly<Record<string, string>> = {
  selector: 'did you mean "podSelector"? (a label selector)',
  cidr: 'cidr goes inside "ipBlock"',
  nets: 'use "ipBlock: {cidr: ...}"; "nets" is a Calico field',
  matchLabels: 'matchLabels goes inside "podSelector" or "namespaceSelector"',
};

/** Validates `spec` of a Kubernetes NetworkPolicy; every problem goes to `doc.report`. */
export function validateKubernetesNetworkPolicy(doc: DocumentView): void {
  const specValue = doc.value['spec'];
  if (specValue === undefined || specValue === null) {
    doc.report({
      path: ['spec'],
      message: 'spec is required: a Kubernetes NetworkPolicy needs at least spec.podSelector ({} selects every pod in the namespace)',
      code: 'required',
    });
    return;
  }
  const spec = objectAt(doc, ['spec'], specValue, 'spec');
  if (!spec) return;
  checkKnownFields(doc, ['spec'], spec, SPEC_FIELDS, SPEC_HINTS);

  validatePodSelector(doc, spec);
  const types = validatePolicyTypes(doc, spec['policyTypes']);
  const ingressCount = validateRules(doc, 'ingress', spec['ingress']);
  const egressCount = validateRules(doc, 'egress', spec['egress']);
  if (types) {
    warnIgnoredRules(doc, 'ingress', ingressCount, types);
    warnIgnoredRules(doc, 'egress', egressCount, types);
  }
}

function validatePodSelector(doc: DocumentView, spec: JsonObject): void {
  if (!Object.hasOwn(spec, 'podSelector')) {
    // `podSelecter:` or Calico's `selector:` already got an unknown-field error that names
    // podSelector; a second error on the same line would only repeat it.
    const misspelt = Object.keys(spec).some((k) => k === 'selector' || nearestField(k, SPEC_FIELDS) === 'podSelector');
    if (misspelt) return;
    doc.report({
      path: ['spec'],
      message: 'spec.podSelector is required (write podSelector: {} to select every pod in the namespace)',
      code: 'required',
    });
    return;
  }
  const value = spec['podSelector'];
  if (value === null) {
    doc.report({
      path: ['spec', 'podSelector'],
      message: 'podSelector is null, which Kubernetes reads as {} (every pod in the namespace); write {} to say so',
      code: 'label-selector',
      severity: 'warning',
    });
    return;
  }
  validateLabelSelector(doc, ['spec', 'podSelector'], value, 'podSelector');
}

/** The policy types, or undefined when none are written (Kubernetes derives them) or one is invalid. */
function validatePolicyTypes(doc: DocumentView, value: JsonValue | undefined): readonly string[] | undefined {
  const path = ['spec', 'policyTypes'];
  const list = listAt(doc, path, value, 'policyTypes');
  if (!list || list.length === 0) return undefined;
  if (list.length > K8S_POLICY_TYPES.length) {
    // Kubernetes stops here too: the entries are not looked at one by one.
    doc.report({ path, message: 'may not specify more than two policyTypes', code: 'policy-types' });
    return undefined;
  }
  const seen: string[] = [];
  let allValid = true;
  list.forEach((entry, i) => {
    const type = stringAt(doc, [...path, i], entry, 'a policy type');
    if (type === undefined || !(K8S_POLICY_TYPES as readonly string[]).includes(type)) allValid = false;
    if (type === undefined) {
      if (entry === null) doc.report({ path: [...path, i], message: 'a policy type must be "Ingress" or "Egress", found null', code: 'policy-types' });
      return;
    }
    if (!(K8S_POLICY_TYPES as readonly string[]).includes(type)) {
      const near = closest(type, K8S_POLICY_TYPES);
      doc.report({
        path: [...path, i],
        message: `unsupported policy type "${type}"${near ? ` (did you mean "${near}"?)` : ''}; supported values: "Ingress", "Egress"`,
        code: 'policy-types',
      });
      return;
    }
    if (seen.includes(type)) {
      doc.report({ path: [...path, i], message: `duplicate policy type "${type}"`, code: 'policy-types', severity: 'warning' });
    }
    seen.push(type);
  });
  // With a broken entry the author's intent is unclear: no "rules are ignored" warnings then.
  return allValid ? seen : undefined;
}

function warnIgnoredRules(doc: DocumentView, direction: Direction, count: number, types: readonly string[]): void {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  if (count === 0 || types.includes(type)) return;
  doc.report({
    path: ['spec', direction],
    message: `spec.${direction} has ${count} rule${count === 1 ? '' : 's'} but policyTypes does not include "${type}": Kubernetes ignores them`,
    code: 'policy-types',
    severity: 'warning',
  });
}

/** Validates the rule list; returns how many rules it holds. */
function validateRules(doc: DocumentView, direction: Direction, value: JsonValue | undefined): number {
  const path = ['spec', direction];
  const rules = listAt(doc, path, value, direction);
  if (!rules) return 0;
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  rules.forEach((ruleValue, i) => {
    const rulePath = [...path, i];
    if (ruleValue === null) {
      doc.report({
        path: rulePath,
        message: `an empty ${direction} rule allows all traffic ${direction === 'ingress' ? 'from' : 'to'} everywhere on every port; write {} if that is intended`,
        code: 'rule',
        severity: 'warning',
      });
      return;
    }
    const rule = objectAt(doc, rulePath, ruleValue, `an ${direction} rule`);
    if (!rule) return;
    checkKnownFields(doc, rulePath, rule, RULE_FIELDS[direction], RULE_HINTS[direction]);
    const ports = listAt(doc, [...rulePath, 'ports'], rule['ports'], 'ports');
    ports?.forEach((port, j) => validatePort(doc, [...rulePath, 'ports', j], port));
    const peers = listAt(doc, [...rulePath, peerKey], rule[peerKey], peerKey);
    peers?.forEach((peer, j) => validatePeer(doc, [...rulePath, peerKey, j], peer));
  });
  return rules.length;
}

function validatePort(doc: DocumentView, path: Path, value: JsonValue): void {
  // A null entry decodes to an empty port: every TCP port. Nothing to check.
  if (value === null) return;
  const port = objectAt(doc, path, value, 'a ports entry');
  if (!port) return;
  checkKnownFields(doc, path, port, PORT_FIELDS, PORT_HINTS);

  const protocol = stringAt(doc, [...path, 'protocol'], port['protocol'], 'protocol');
  if (protocol !== undefined && !(K8S_NETWORK_POLICY_PROTOCOLS as readonly string[]).includes(protocol)) {
    const near = closest(protocol, K8S_NETWORK_POLICY_PROTOCOLS);
    doc.report({
      path: [...path, 'protocol'],
      message: `unsupported protocol "${protocol}"${near ? ` (did you mean "${near}"?)` : ''}; supported values: "TCP", "UDP", "SCTP"`,
      code: 'protocol',
    });
  }

  const portValue = port['port'];
  const numericPort = checkPortField(doc, [...path, 'port'], portValue);
  const endPortValue = port['endPort'];
  if (endPortValue === undefined || endPortValue === null) return;
  const endPath = [...path, 'endPort'];
  if (typeof endPortValue !== 'number' || !Number.isInteger(endPortValue)) {
    doc.report({ path: endPath, message: `endPort must be an integer, found ${describeValue(endPortValue)}`, code: 'type' });
    return;
  }
  if (portValue === undefined || portValue === null) {
    doc.report({ path: endPath, message: 'endPort may not be specified when port is not specified', code: 'port' });
    return;
  }
  if (typeof portValue === 'string') {
    doc.report({ path: endPath, message: 'endPort may not be specified when port is non-numeric (a named port)', code: 'port' });
    return;
  }
  if (numericPort !== undefined && endPortValue < numericPort) {
    doc.report({ path: endPath, message: `endPort (${endPortValue}) must be greater than or equal to port (${numericPort})`, code: 'port' });
  }
  for (const msg of checkPortNumber(endPortValue)) doc.report({ path: endPath, message: `endPort ${endPortValue}: ${msg}`, code: 'port' });
}

/** Checks `port` (a number or an IANA service name); returns it when numeric and well-formed. */
function checkPortField(doc: DocumentView, path: Path, value: JsonValue | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      doc.report({ path, message: `port must be an integer or a port name, found ${describeValue(value)}`, code: 'type' });
      return undefined;
    }
    for (const msg of checkPortNumber(value)) doc.report({ path, message: `port ${value}: ${msg}`, code: 'port' });
    return value;
  }
  if (typeof value === 'string') {
    const msgs = checkPortName(value);
    if (msgs.length === 0) return undefined;
    const numeric = value.length > 0 && [...value].every((c) => c >= '0' && c <= '9');
    const hint = numeric ? ` (a quoted number is read as a port name: write ${value} without quotes)` : '';
    doc.report({ path, message: `port name "${value}": ${msgs.join(', ')}${hint}`, code: 'port' });
    return undefined;
  }
  doc.report({ path, message: `port must be an integer or a port name, found ${describeValue(value)}`, code: 'type' });
  return undefined;
}

function validatePeer(doc: DocumentView, path: Path, value: JsonValue): void {
  const peer: JsonObject | undefined = value === null ? {} : objectAt(doc, path, value, 'a peer');
  if (!peer) return;
  checkKnownFields(doc, path, peer, PEER_FIELDS, PEER_HINTS);
  const present = PEER_FIELDS.filter((k) => peer[k] !== undefined && peer[k] !== null);
  if (present.length === 0) {
    doc.report({ path, message: 'a peer must specify podSelector, namespaceSelector or ipBlock', code: 'peer' });
  } else if (present.includes('ipBlock') && present.length > 1) {
    doc.report({
      path,
      message: `a peer may not specify both ipBlock and ${present.filter((k) => k !== 'ipBlock').join(' and ')} (make them separate list entries to allow either)`,
      code: 'peer',
    });
  }
  if (peer['podSelector'] !== undefined) validateLabelSelector(doc, [...path, 'podSelector'], peer['podSelector'], 'podSelector');
  if (peer['namespaceSelector'] !== undefined) {
    validateLabelSelector(doc, [...path, 'namespaceSelector'], peer['namespaceSelector'], 'namespaceSelector');
  }
  const ipBlock = objectAt(doc, [...path, 'ipBlock'], peer['ipBlock'], 'ipBlock');
  if (ipBlock) validateIpBlock(doc, [...path, 'ipBlock'], ipBlock);
}

function validateIpBlock(doc: DocumentView, path: Path, block: JsonObject): void {
  checkKnownFields(doc, path, block, IP_BLOCK_FIELDS, { cidrs: 'did you mean "cidr"? (one CIDR per peer)', exceptions: 'did you mean "except"?' });
  const cidrText = stringAt(doc, [...path, 'cidr'], block['cidr'], 'cidr');
  if (block['cidr'] === undefined || block['cidr'] === null || cidrText === '') {
    doc.report({ path: cidrText === '' ? [...path, 'cidr'] : path, message: 'ipBlock.cidr is required', code: 'required' });
  }
  const outer = cidrText ? checkCidr(doc, [...path, 'cidr'], cidrText) : undefined;

  const exceptPath = [...path, 'except'];
  const excepts = listAt(doc, exceptPath, block['except'], 'except');
  excepts?.forEach((entry, i) => {
    const text = stringAt(doc, [...exceptPath, i], entry, 'an except entry');
    if (text === undefined) return;
    const inner = checkCidr(doc, [...exceptPath, i], text);
    if (inner && outer && !isStrictSubset(outer, inner)) {
      doc.report({
        path: [...exceptPath, i],
        message: `except "${text}" must be a strict subset of cidr "${cidrText ?? ''}"`,
        code: 'cidr',
      });
    }
  });
}

/** Parses a CIDR, reporting errors and the warnings Kubernetes 1.33+ prints for it. */
function checkCidr(doc: DocumentView, path: Path, text: string): Cidr | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    doc.report({ path, message: parsed.message, code: 'cidr' });
    return undefined;
  }
  const { cidr } = parsed;
  if (cidr.leadingZeros) {
    doc.report({
      path,
      message: `"${text}" has an IPv4 octet with a leading zero; Kubernetes reads it as decimal (${formatCidr(cidr)}), other tools as octal`,
      code: 'cidr',
      severity: 'warning',
    });
  } else if (cidr.hostBitsSet) {
    doc.report({ path, message: `"${text}" has host bits set; it means ${formatCidr(cidr)}`, code: 'cidr', severity: 'warning' });
  }
  return cidr;
}
