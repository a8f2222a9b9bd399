// One entry of a Calico policy's `ingress`/`egress` list, as libcalico-go's validator checks it.
import { atLeast, type JsonObject, type JsonValue } from '../../domain/index.js';
import { didYouMean } from '../did-you-mean.js';
import type { DocumentView, Path } from '../document.js';
import { error, list, obj, text } from './helpers.js';
import { checkAnnotations } from './annotations.js';
import { checkListLimit, V333 } from './limits-v333.js';
import { isCalicoName, isPortName } from './names.js';
import { maskedForm, parseCidr } from './net.js';
import { checkSelector, checkSelectors, checkUncappedSelector } from './selector-field.js';

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
    checkListLimit(doc, [...rulePath, side, field], ports, V333.portsPerRule, `${field} entries`);
    const proto = protocolValue(protocol);
    if (proto === undefined && atLeast(doc.calicoVersion, 3, 32)) {
      // v3.32 lets named ports go without a protocol (validator.go:1331-1347 at v3.32.0,
      // numorstring.AllPortsAreNamed); numbers and ranges still need one.
      if (!ports.every((p) => typeof p === 'string' && !/^\d/.test(p))) {
        error(doc, [...rulePath, side, field], 'ports', 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP');
      }
    } else if (proto === undefined || !PORT_PROTOCOLS.has(proto)) {
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
      checkListLimit(doc, [...rulePath, side, field], entity[field], V333.netsPerRule, `${field} entries`);
      list(entity[field]).forEach((n, i) => {
        const s = text(n);
        if (s === undefined) return;
        const net = s.includes('/') ? parseCidr(s) : undefined;
        if (!net) {
          const hint = parseCidr(s) ? ` (rule nets need a prefix length: ${s}/${s.includes(':') ? 128 : 32})` : '';
          return error(doc, [...rulePath, side, field, i], 'cidr', `"${s}" is not a valid CIDR${hint}`);
        }
        families.add(net.family);
        // libcalico-go lib/validator/v3/validator.go:693 (validateIPNetwork, the `net` tag on rule
        // nets/notNets, api policy_common.go:112,166): a rule CIDR must be strictly masked.
        const masked = maskedForm(s);
        if (masked) error(doc, [...rulePath, side, field, i], 'cidr', `"${s}" has host bits set; Calico requires a masked network here (did you mean "${masked}"?)`);
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

// As libcalico-go's validateRule: only `icmp` (not `notICMP`) demands an ICMP protocol, named up
// to v3.32 (validator.go:1378-1393 at v3.32.0). v3.33 moves these checks to CRD rules that also
// take the numbers 1 and 58 (api policy_common.go:40-44 on release-v3.33).
/** From v3.33 the numbers 1 and 58 name ICMP and ICMPv6 for these checks. */
function icmpNamed(p: string | number | undefined, v333: boolean): string | number | undefined {
  return v333 && p === 1 ? 'ICMP' : v333 && p === 58 ? 'ICMPv6' : p;
}

function checkIcmp(doc: DocumentView, rulePath: Path, rule: JsonObject): void {
  const v333 = atLeast(doc.calicoVersion, 3, 33);
  const proto = icmpNamed(protocolValue(rule['protocol']), v333);
  const notProto = icmpNamed(protocolValue(rule['notProtocol']), v333);
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

// HTTP match: libcalico-go lib/validator/v3/validator.go:859-899 (validateHTTPMethods,
// validateHTTPPaths) and :1327-1333 at v3.31.0, :1370-1376 at v3.32.0 (the protocol must equal the
// string "TCP"); v3.33 drops that Go check and keeps the CRD rule
// `self.protocol == 'TCP' || self.protocol == 6` (api policy_common.go:37), so 6 passes there.
// v3.32 caps methods and paths at 20 and a path at 1024 characters (api policy_common.go:87-108).
function checkHttp(doc: DocumentView, rulePath: Path, rule: JsonObject, ctx: RuleContext): void {
  const http = obj(rule['http']);
  if (!http) return;
  const path = [...rulePath, 'http'];
  const v332 = atLeast(doc.calicoVersion, 3, 32);
  const v333 = atLeast(doc.calicoVersion, 3, 33);
  if (ctx.direction !== 'ingress') error(doc, path, 'http', 'http match criteria are only allowed on ingress rules');
  if (typeof rule['action'] === 'string' && rule['action'] !== 'Allow') error(doc, path, 'http', 'http match criteria are only valid for Allow rules');
  const raw = rule['protocol'];
  if (raw !== undefined && raw !== null) {
    const proto = protocolValue(raw);
    if (proto !== 'TCP' && !(v333 && proto === 6)) {
      const hint = proto === 6 ? ' (before v3.33 Calico compares the protocol with the name "TCP", so the number 6 does not count)' : '';
      error(doc, [...rulePath, 'protocol'], 'http', `rules that specify HTTP fields must set protocol to TCP or leave it empty${hint}`);
    }
  }
  const methods = list(http['methods']);
  if (v332 && methods.length > 20) error(doc, [...path, 'methods'], 'http', `at most 20 HTTP methods are allowed (Calico v3.32+), got ${methods.length}`);
  const seen = new Set<string>();
  methods.forEach((m, i) => {
    if (typeof m !== 'string') return;
    if (seen.has(m)) error(doc, [...path, 'methods', i], 'http', `HTTP method "${m}" is listed twice`);
    seen.add(m);
  });
  const paths = list(http['paths']);
  if (v332 && paths.length > 20) error(doc, [...path, 'paths'], 'http', `at most 20 HTTP paths are allowed (Calico v3.32+), got ${paths.length}`);
  paths.forEach((p, i) => {
    const entry = obj(p);
    if (!entry) return;
    const exact = text(entry['exact']) ?? '';
    const prefix = text(entry['prefix']) ?? '';
    if ((exact === '') === (prefix === '')) return error(doc, [...path, 'paths', i], 'http', 'each http path needs exactly one of exact or prefix');
    const field = exact === '' ? 'prefix' : 'exact';
    const value = exact === '' ? prefix : exact;
    if (!value.startsWith('/') || /[? #]/.test(value)) {
      error(doc, [...path, 'paths', i, field], 'http', `invalid path "${value}": it must start with "/" and contain no "?", "#" or space`);
    } else if (v332 && [...value].length > 1024) {
      error(doc, [...path, 'paths', i, field], 'http', `path is ${[...value].length} characters long, more than the 1024 Calico v3.32+ allows`);
    }
  });
}

function checkEntity(doc: DocumentView, rulePath: Path, side: 'source' | 'destination', rule: JsonObject, ctx: RuleContext): void {
  const entity = obj(rule[side]);
  if (!entity) return;
  const path = [...rulePath, side];
  checkSelectors(doc, path, entity, ['selector', 'notSelector'], 'endpoint');
  checkSelector(doc, path, 'namespaceSelector', entity['namespaceSelector'], 'rule-namespace');
  const sa = obj(entity['serviceAccounts']);
  if (sa) checkUncappedSelector(doc, [...path, 'serviceAccounts'], 'selector', sa['selector'], 'service-account');
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
    // api policy_common.go:184,188 (`validate:"omitempty,name"`: validator.go:408, the DNS-1123
    // subdomain pattern without a length limit); v3.33 adds MaxLength=253 (policy_common.go:236,241).
    for (const f of ['name', 'namespace'] as const) {
      const value = text(services[f]);
      if (value === undefined || value === '') continue;
      if (!isCalicoName(value)) error(doc, [...sp, f], 'services', `services ${f} "${value}" must be a lower-case DNS-1123 subdomain (a-z, 0-9, "-" and ".")`);
      else if (atLeast(doc.calicoVersion, 3, 33) && value.length > 253) error(doc, [...sp, f], 'services', `services ${f} is ${value.length} characters long, more than the 253 Calico v3.33+ allows`);
    }
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
  // api policy_common.go:65 (RuleMetadata), validator.go:2193 validateRuleMetadata.
  const meta = obj(rule['metadata']);
  if (meta) checkAnnotations(doc, [...rulePath, 'metadata', 'annotations'], obj(meta['annotations']));
}
