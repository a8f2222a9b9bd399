// One entry of a Calico policy's `ingress`/`egress` list, as libcalico-go's validator checks it.
import type { JsonObject, JsonValue } from '../../domain/index.js';
import { didYouMean } from '../did-you-mean.js';
import type { DocumentView, Path } from '../document.js';
import { error, list, obj, text } from './helpers.js';
import { isPortName } from './names.js';
import { parseCidr } from './net.js';
import { checkSelector, checkSelectors } from './selector-field.js';

export const ACTIONS = ['Allow', 'Deny', 'Log', 'Pass'] as const;
export const PROTOCOL_NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'] as const;
const PORT_PROTOCOLS = new Set<JsonValue>(['TCP', 'UDP', 'SCTP', 6, 17, 132]);

export interface RuleContext {
  readonly direction: 'ingress' | 'egress';
  /** GlobalNetworkPolicy (and staged): `services` then needs a namespace. */
  readonly global: boolean;
}

/** Protocol as a name or number; numeric strings count as numbers (Calico reads them so). */
export function protocolValue(value: JsonValue | undefined): string | number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function checkProtocol(doc: DocumentView, rulePath: Path, field: string, raw: JsonValue | undefined): void {
  const value = protocolValue(raw);
  if (value === undefined) return;
  const path = [...rulePath, field];
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 255) error(doc, path, 'protocol', `protocol number must be 1 to 255, got ${String(raw)}`);
    return;
  }
  if (!(PROTOCOL_NAMES as readonly string[]).includes(value)) {
    error(doc, path, 'protocol', `protocol "${value}" is not one of ${PROTOCOL_NAMES.join(', ')} or a number 1-255 (names are case-sensitive)${didYouMean(value, PROTOCOL_NAMES)}`);
  }
}

/** A port: 1–65535, `"min:max"`, or a named port. Returns a message when invalid. */
export function portProblem(value: JsonValue): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : `port ${value} is not in 1-65535`;
  if (typeof value !== 'string') return undefined;
  const range = /^(\d+)(?::(\d+))?$/.exec(value);
  if (range) {
    const min = Number(range[1]);
    const max = range[2] === undefined ? min : Number(range[2]);
    if (min < 1 || min > 65535 || max < 1 || max > 65535) return `port range "${value}" must lie within 1-65535`;
    if (min > max) return `port range "${value}" has its minimum above its maximum`;
    return undefined;
  }
  return isPortName(value) ? undefined : `"${value}" is neither a port, a "min:max" range nor a valid named port (lower-case, at most 15 characters)`;
}

function checkPorts(doc: DocumentView, rulePath: Path, side: string, entity: JsonObject, protocol: JsonValue | undefined): void {
  for (const field of ['ports', 'notPorts']) {
    const ports = list(entity[field]);
    if (ports.length === 0) continue;
    const proto = protocolValue(protocol);
    if (proto === undefined || !PORT_PROTOCOLS.has(proto)) {
      error(doc, [...rulePath, side, field], 'ports', 'rules that specify ports must set protocol to TCP or UDP or SCTP');
    }
    ports.forEach((p, i) => {
      const problem = portProblem(p);
      if (problem) error(doc, [...rulePath, side, field, i], 'port', problem);
    });
  }
}

function checkNets(doc: DocumentView, rulePath: Path, rule: JsonObject, ipVersion: JsonValue | undefined): void {
  const families = new Set<number>();
  for (const side of ['source', 'destination']) {
    const entity = obj(rule[side]);
    if (!entity) continue;
    for (const field of ['nets', 'notNets']) {
      list(entity[field]).forEach((n, i) => {
        const s = text(n);
        if (s === undefined) return;
        const net = s.includes('/') ? parseCidr(s) : undefined;
        if (!net) {
          const hint = parseCidr(s) ? ` (rule nets need a prefix length: ${s}/${s.includes(':') ? 128 : 32})` : '';
          return error(doc, [...rulePath, side, field, i], 'cidr', `"${s}" is not a valid CIDR${hint}`);
        }
        families.add(net.family);
        if ((ipVersion === 4 || ipVersion === 6) && net.family !== ipVersion) {
          error(doc, [...rulePath, side, field, i], 'cidr', `"${s}" is an IPv${net.family} CIDR but the rule has ipVersion ${ipVersion}`);
        }
        if (field === 'notNets' && net.prefix === 0) {
          error(doc, [...rulePath, side, field, i], 'cidr', `notNets "${s}" excludes every address, so the rule can never match`);
        }
      });
    }
  }
  if (families.size > 1) error(doc, rulePath, 'cidr', 'a rule may not mix IPv4 and IPv6 CIDRs');
}

// As libcalico-go's validateRule: only `icmp` (not `notICMP`) demands an ICMP protocol, named.
function checkIcmp(doc: DocumentView, rulePath: Path, rule: JsonObject): void {
  const proto = protocolValue(rule['protocol']);
  const notProto = protocolValue(rule['notProtocol']);
  for (const field of ['icmp', 'notICMP']) {
    const icmp = obj(rule[field]);
    if (!icmp) continue;
    const path = [...rulePath, field];
    if (field === 'icmp' && proto !== 'ICMP' && proto !== 'ICMPv6') {
      error(doc, path, 'icmp', 'rules that specify ICMP fields must set protocol to ICMP or ICMPv6');
    }
    const type = icmp['type'];
    const code = icmp['code'];
    if (typeof type === 'number' && (type < 0 || type > 254)) error(doc, [...path, 'type'], 'icmp', `ICMP type ${type} is not in 0-254`);
    if (typeof code === 'number' && (code < 0 || code > 255)) error(doc, [...path, 'code'], 'icmp', `ICMP code ${code} is not in 0-255`);
    if (code !== undefined && code !== null && (type === undefined || type === null)) error(doc, [...path, 'code'], 'icmp', 'ICMP code requires a type');
  }
  const ipVersion = rule['ipVersion'];
  for (const [field, value] of [['protocol', proto], ['notProtocol', notProto]] as const) {
    if (value === 'ICMP' && ipVersion === 6) error(doc, [...rulePath, field], 'icmp', `${field} ICMP needs ipVersion 4 (use ICMPv6 for IPv6)`);
    if (value === 'ICMPv6' && ipVersion === 4) error(doc, [...rulePath, field], 'icmp', `${field} ICMPv6 needs ipVersion 6 (use ICMP for IPv4)`);
  }
}

function checkHttp(doc: DocumentView, rulePath: Path, rule: JsonObject, ctx: RuleContext): void {
  const http = obj(rule['http']);
  if (!http) return;
  const path = [...rulePath, 'http'];
  if (ctx.direction !== 'ingress') error(doc, path, 'http', 'http match criteria are only allowed on ingress rules');
  if (typeof rule['action'] === 'string' && rule['action'] !== 'Allow') error(doc, path, 'http', 'http match criteria are only valid for Allow rules');
  const proto = protocolValue(rule['protocol']);
  if (proto !== undefined && proto !== 'TCP' && proto !== 6) error(doc, path, 'http', 'http match criteria need protocol TCP (or no protocol)');
  list(http['paths']).forEach((p, i) => {
    const entry = obj(p);
    if (!entry) return;
    const n = (entry['exact'] !== undefined ? 1 : 0) + (entry['prefix'] !== undefined ? 1 : 0);
    if (n !== 1) error(doc, [...path, 'paths', i], 'http', 'each http path needs exactly one of exact or prefix');
  });
}

function checkEntity(doc: DocumentView, rulePath: Path, side: 'source' | 'destination', rule: JsonObject, ctx: RuleContext): void {
  const entity = obj(rule[side]);
  if (!entity) return;
  const path = [...rulePath, side];
  checkSelectors(doc, path, entity, ['selector', 'notSelector'], 'endpoint');
  checkSelector(doc, path, 'namespaceSelector', entity['namespaceSelector'], 'rule-namespace');
  const sa = obj(entity['serviceAccounts']);
  if (sa) checkSelector(doc, [...path, 'serviceAccounts'], 'selector', sa['selector'], 'service-account');
  checkPorts(doc, rulePath, side, entity, rule['protocol']);
  const services = obj(entity['services']);
  if (services) {
    const sp = [...path, 'services'];
    // Services name the peer: the source of ingress, the destination of egress.
    if ((ctx.direction === 'ingress') !== (side === 'source')) {
      error(doc, sp, 'services', `services are not allowed in ${ctx.direction} rule ${side}`);
    }
    if (side === 'destination') {
      for (const f of ['ports', 'notPorts']) {
        if (list(entity[f]).length > 0) error(doc, [...path, f], 'services', `cannot specify ${f} with services (service rules use the ports of the service's endpoints)`);
      }
    }
    if (!text(services['name'])) error(doc, sp, 'services', 'services needs a name');
    if (ctx.global && !text(services['namespace'])) error(doc, sp, 'services', 'services in a global policy needs a namespace');
    const clash = ['selector', 'notSelector', 'namespaceSelector', 'nets', 'notNets', 'serviceAccounts'].filter((f) => entity[f] !== undefined && entity[f] !== null);
    if (clash.length > 0) error(doc, sp, 'services', `services cannot be combined with ${clash.join(', ')}`);
  }
}

export function checkRule(doc: DocumentView, rulePath: Path, value: JsonValue, ctx: RuleContext): void {
  const rule = obj(value);
  if (!rule) return;
  const action = rule['action'];
  if (action === undefined || action === null) error(doc, rulePath, 'action', 'rule needs an action (Allow, Deny, Log or Pass)');
  else if (typeof action === 'string' && !(ACTIONS as readonly string[]).includes(action)) {
    error(doc, [...rulePath, 'action'], 'action', `action "${action}" is not one of ${ACTIONS.join(', ')} (case-sensitive)${didYouMean(action, ACTIONS)}`);
  }
  const ipVersion = rule['ipVersion'];
  if (typeof ipVersion === 'number' && Number.isInteger(ipVersion) && ipVersion !== 4 && ipVersion !== 6) {
    error(doc, [...rulePath, 'ipVersion'], 'ip-version', `ipVersion must be 4 or 6, got ${String(ipVersion)}`);
  }
  checkProtocol(doc, rulePath, 'protocol', rule['protocol']);
  checkProtocol(doc, rulePath, 'notProtocol', rule['notProtocol']);
  checkIcmp(doc, rulePath, rule);
  checkNets(doc, rulePath, rule, ipVersion);
  checkHttp(doc, rulePath, rule, ctx);
  checkEntity(doc, rulePath, 'source', rule, ctx);
  checkEntity(doc, rulePath, 'destination', rule, ctx);
}
