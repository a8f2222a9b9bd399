// Kubernetes NetworkPolicy validation with the API server's messages (pkg/apis/networking/
// validation): ports, peers, ipBlocks, policyTypes and label selectors. The executor's kubectl
// apply meets these 422s on a real cluster, so the simulator gives them too.
import { isIP } from 'node:net';
import { isObj, str } from './meta.js';
import { validateLabels, validateQualifiedName } from './names.js';
import type { FieldError, Json } from './status.js';

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function parseCidr(text: string): { family: 4 | 6; bits: bigint; len: number } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const ip = m[1] ?? '';
  const len = Number(m[2]);
  const family = isIP(ip);
  if (family === 4) {
    if (len > 32) return undefined;
    const bits = ip.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
    return { family: 4, bits, len };
  }
  if (family === 6) {
    if (len > 128) return undefined;
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    const bits = groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
    return { family: 6, bits, len };
  }
  return undefined;
}

function validateSelector(sel: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const ml = isObj(sel['matchLabels']) ? sel['matchLabels'] : {};
  errors.push(...validateLabels(ml).map((e) => ({ ...e, field: `${path}.matchLabels` })));
  list(sel['matchExpressions']).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const op = str(e['operator']);
    const values = Array.isArray(e['values']) ? e['values'] : [];
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errors.push({ type: 'Required', field: `${p}.values`, detail: "must be specified when `operator` is 'In' or 'NotIn'" });
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errors.push({ type: 'Forbidden', field: `${p}.values`, detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
    } else errors.push({ type: 'Invalid', field: `${p}.operator`, value: op, detail: 'not a valid selector operator' });
    errors.push(...validateQualifiedName(str(e['key']), `${p}.key`));
  });
  return errors;
}

function validatePort(port: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const protocol = port['protocol'];
  if (protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(protocol))) {
    errors.push({ type: 'NotSupported', field: `${path}.protocol`, value: String(protocol), detail: 'supported values: "TCP", "UDP", "SCTP"' });
  }
  const p = port['port'];
  const end = port['endPort'];
  const range = (v: number): boolean => Number.isInteger(v) && v >= 1 && v <= 65535;
  if (typeof p === 'number') {
    if (!range(p)) errors.push({ type: 'Invalid', field: `${path}.port`, value: p, detail: 'must be between 1 and 65535, inclusive' });
    if (typeof end === 'number') {
      if (end < p) errors.push({ type: 'Invalid', field: `${path}.endPort`, value: p, detail: 'must be greater than or equal to `port`' });
      if (!range(end)) errors.push({ type: 'Invalid', field: `${path}.endPort`, value: end, detail: 'must be between 1 and 65535, inclusive' });
    }
  } else if (typeof p === 'string') {
    if (end !== undefined) errors.push({ type: 'Invalid', field: `${path}.endPort`, value: end, detail: 'may not be specified when `port` is non-numeric' });
    if (p.length > 15) errors.push({ type: 'Invalid', field: `${path}.port`, value: p, detail: 'must be no more than 15 characters' });
    else if (!PORT_NAME.test(p) || !/[a-z]/.test(p) || p.includes('--')) {
      errors.push({ type: 'Invalid', field: `${path}.port`, value: p, detail: 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' });
    }
  } else if (end !== undefined) errors.push({ type: 'Invalid', field: `${path}.endPort`, value: end, detail: 'may not be specified when `port` is not specified' });
  return errors;
}

function validateIpBlock(b: Json, path: string): FieldError[] {
  const cidr = str(b['cidr']);
  if (!cidr) return [{ type: 'Required', field: `${path}.cidr` }];
  const bad = (field: string, value: string): FieldError => ({ type: 'Invalid', field, value, detail: 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' });
  const outer = parseCidr(cidr);
  if (!outer) return [bad(`${path}.cidr`, cidr)];
  const errors: FieldError[] = [];
  (Array.isArray(b['except']) ? b['except'] : []).forEach((raw, i) => {
    const text = String(raw);
    const inner = parseCidr(text);
    if (!inner) {
      errors.push(bad(`${path}.except[${i}]`, text));
      return;
    }
    const width = outer.family === 4 ? 32 : 128;
    const shift = BigInt(width - outer.len);
    const contained = inner.family === outer.family && inner.bits >> shift === outer.bits >> shift;
    if (!contained || outer.len >= inner.len) errors.push({ type: 'Invalid', field: `${path}.except[${i}]`, value: text, detail: 'must be a strict subset of `cidr`' });
  });
  return errors;
}

function validatePeer(peer: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  let peers = 0;
  if (isObj(peer['podSelector'])) {
    peers++;
    errors.push(...validateSelector(peer['podSelector'], `${path}.podSelector`));
  }
  if (isObj(peer['namespaceSelector'])) {
    peers++;
    errors.push(...validateSelector(peer['namespaceSelector'], `${path}.namespaceSelector`));
  }
  if (isObj(peer['ipBlock'])) {
    peers++;
    errors.push(...validateIpBlock(peer['ipBlock'], `${path}.ipBlock`));
  }
  if (peers === 0) errors.push({ type: 'Required', field: path, detail: 'must specify a peer' });
  else if (peers > 1 && isObj(peer['ipBlock'])) errors.push({ type: 'Forbidden', field: path, detail: 'may not specify both ipBlock and another peer' });
  return errors;
}

/** Every problem of a (defaulted) NetworkPolicy spec, in the API server's order. */
export function validateNetworkPolicy(o: Json): FieldError[] {
  const spec = isObj(o['spec']) ? o['spec'] : {};
  const errors: FieldError[] = validateSelector(isObj(spec['podSelector']) ? spec['podSelector'] : {}, 'spec.podSelector');
  for (const [dir, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[dir]).forEach((rule, i) => {
      list(rule['ports']).forEach((port, j) => errors.push(...validatePort(port, `spec.${dir}[${i}].ports[${j}]`)));
      list(rule[peersKey]).forEach((peer, j) => errors.push(...validatePeer(peer, `spec.${dir}[${i}].${peersKey}[${j}]`)));
    });
  }
  const types = Array.isArray(spec['policyTypes']) ? spec['policyTypes'] : [];
  if (types.length > 2) errors.push({ type: 'Invalid', field: 'spec.policyTypes', value: types, detail: 'may not specify more than two policyTypes' });
  else {
    types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errors.push({ type: 'NotSupported', field: `spec.policyTypes[${i}]`, value: String(t), detail: 'supported values: "Egress", "Ingress"' });
    });
  }
  return errors;
}
