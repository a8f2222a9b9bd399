// HostEndpoint: a node's own interface, protected by (Global)NetworkPolicies.
import type { DocumentView } from '../document.js';
import { portProblem, PROTOCOL_NAMES, protocolValue } from './calico-rule.js';
import { error, list, obj, spec, text, type Rule } from './helpers.js';
import { isCalicoName, isDnsSubdomain, isPortName } from './names.js';
import { ipFamily } from './net.js';

function nodeAndInterface(doc: DocumentView): void {
  const s = spec(doc);
  const node = text(s['node']);
  if (!node) error(doc, doc.value['spec'] ? ['spec'] : [], 'host-endpoint', 'HostEndpoint needs spec.node');
  else if (!isDnsSubdomain(node)) error(doc, ['spec', 'node'], 'host-endpoint', `node "${node}" must be a lower-case DNS-1123 subdomain`);
  const iface = text(s['interfaceName']);
  if (!iface && list(s['expectedIPs']).length === 0) {
    error(doc, doc.value['spec'] ? ['spec'] : [], 'host-endpoint', 'HostEndpoint needs spec.interfaceName or spec.expectedIPs');
  }
  if (iface && iface !== '*' && !/^[a-zA-Z0-9_.-]{1,15}$/.test(iface)) {
    error(doc, ['spec', 'interfaceName'], 'host-endpoint', `interfaceName "${iface}" must be "*" or an interface name of at most 15 letters, digits, "_", "." or "-"`);
  }
}

function expectedIPs(doc: DocumentView): void {
  list(spec(doc)['expectedIPs']).forEach((ip, i) => {
    if (typeof ip === 'string' && ipFamily(ip) === undefined) {
      error(doc, ['spec', 'expectedIPs', i], 'host-endpoint', `expectedIPs entry "${ip}" must be an IP address (not a CIDR)`);
    }
  });
}

// api hostendpoint.go:81 at v3.31: profiles `validate:"omitempty,dive,name"` (validator.go:408).
function profiles(doc: DocumentView): void {
  list(spec(doc)['profiles']).forEach((p, i) => {
    if (typeof p === 'string' && !isCalicoName(p)) {
      error(doc, ['spec', 'profiles', i], 'host-endpoint', `profile "${p}" must be a lower-case DNS-1123 subdomain (a-z, 0-9, "-" and ".")`);
    }
  });
}

function ports(doc: DocumentView): void {
  list(spec(doc)['ports']).forEach((p, i) => {
    const port = obj(p);
    if (!port) return;
    const path = ['spec', 'ports', i];
    const name = text(port['name']);
    if (!name) error(doc, path, 'host-endpoint', 'each HostEndpoint port needs a name');
    else if (!isPortName(name)) error(doc, [...path, 'name'], 'host-endpoint', `port name "${name}" must be lower-case alphanumeric or "-", at most 15 characters`);
    const proto = protocolValue(port['protocol']);
    if (proto === undefined) error(doc, path, 'host-endpoint', 'each HostEndpoint port needs a protocol (TCP, UDP or SCTP)');
    else if (!['TCP', 'UDP', 'SCTP', 6, 17, 132].includes(proto)) {
      const known = typeof proto === 'string' && !(PROTOCOL_NAMES as readonly string[]).includes(proto) ? ' (names are case-sensitive)' : '';
      error(doc, [...path, 'protocol'], 'host-endpoint', `port protocol must be TCP, UDP or SCTP, got ${String(port['protocol'])}${known}`);
    }
    const num = port['port'];
    if (num === undefined || num === null) error(doc, path, 'host-endpoint', 'each HostEndpoint port needs a port number');
    else {
      const problem = typeof num === 'number' ? portProblem(num) : undefined;
      if (problem) error(doc, [...path, 'port'], 'host-endpoint', problem);
    }
  });
}

export const hostEndpointRules: readonly Rule[] = [nodeAndInterface, expectedIPs, profiles, ports];
