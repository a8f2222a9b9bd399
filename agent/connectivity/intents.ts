// Declared intents (`.calico-gitops/intents.yaml`): what must always hold, checked against the
// analysis of a revision. Each intent is `{name, from, to, protocol?, port?, expect}`; a peer is
// `{namespace}`, `{selector}`, `{namespaceSelector}` (selector may join either) or `{cidr}`.
// `expect: allow` means every pair allows the whole set (every protocol and port when neither is
// given); `expect: deny` means no pair allows any of it. Pure: problems come back as issues.
import { formatCidr, parseCidr } from '../desired/rules/k8s-cidr.js';
import { DEFAULT_LIMITS } from '../desired/limits.js';
import { createLocator } from '../desired/parse/locator.js';
import { parseFile } from '../desired/parse/parse-file.js';
import { matchesLabels, parseSelector, type SelectorNode } from '../desired/selector/index.js';
import type { Issue, Issues } from '../domain/issue.js';
import type { SourceFile } from '../domain/state.js';
import type { Analysis } from './analyze.js';
import { ALL_CONNECTIONS, describeSet, dimensionOf, intersectSets, isEmptySet, onlyDimension, PORT_DIMENSIONS, subtractSets, type ConnectionSet } from './connection-set.js';
import { whyOf } from './connections.js';
import type { Entity } from './entities.js';
import { familyStart } from './evaluate.js';
import { PROTOCOLS } from './policy-model.js';
import { parseRanges, range } from './ranges.js';
import { shortWhy } from './render-text.js';

export const INTENTS_FILE = '.calico-gitops/intents.yaml';

export interface IntentPeer {
  readonly namespace?: string;
  readonly selector?: SelectorNode;
  readonly namespaceSelector?: SelectorNode;
  readonly cidr?: string;
  /** As written, for messages. */
  readonly text: string;
}

export interface Intent {
  readonly name: string;
  readonly from: IntentPeer;
  readonly to: IntentPeer;
  readonly connections: ConnectionSet;
  readonly expect: 'allow' | 'deny';
  readonly file: string;
  readonly line: number;
}

export interface IntentsResult {
  readonly intents: readonly Intent[];
  readonly errors: readonly Issue[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const INTENT_KEYS = new Set(['name', 'from', 'to', 'protocol', 'port', 'expect', 'description']);
const PEER_KEYS = new Set(['namespace', 'selector', 'namespaceSelector', 'cidr']);

export function parseIntents(file: SourceFile): IntentsResult {
  const parsed = parseFile(file, DEFAULT_LIMITS);
  const errors: Issue[] = [...parsed.issues];
  const locator = createLocator(file.content, { maxDepth: DEFAULT_LIMITS.maxDepth });
  const issue = (path: (string | number)[], message: string): void => {
    let line = 0;
    let column = 0;
    try {
      const at = locator.locate(0, path, 'value');
      line = at.line;
      column = at.column;
    } catch {
      // Position unknown: the message still names the intent.
    }
    errors.push({ severity: 'error', file: file.path, line, column, path: path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, ''), code: 'intent', message });
  };
  if (parsed.issues.length > 0) return { intents: [], errors };
  const root = parsed.documents[0]?.value;
  const list = Array.isArray(root) ? root : isObj(root) && Array.isArray(root['intents']) ? root['intents'] : undefined;
  const prefix: (string | number)[] = Array.isArray(root) ? [] : ['intents'];
  if (root === undefined || root === null) return { intents: [], errors };
  if (!list) {
    issue([], 'the intents file must be a list of intents (or `intents:` with a list)');
    return { intents: [], errors };
  }
  const intents: Intent[] = [];
  const names = new Set<string>();
  list.forEach((raw, i) => {
    const at = [...prefix, i];
    if (!isObj(raw)) return issue(at, 'an intent must be a mapping with name, from, to and expect');
    const before = errors.length;
    for (const k of Object.keys(raw)) if (!INTENT_KEYS.has(k)) issue([...at, k], `unknown field "${k}" (an intent has name, from, to, protocol, port, expect)`);
    const name = raw['name'];
    if (typeof name !== 'string' || name === '') issue([...at, 'name'], 'an intent needs a name');
    else if (names.has(name)) issue([...at, 'name'], `intent name "${name}" is used twice`);
    else names.add(name);
    const expect = raw['expect'];
    if (expect !== 'allow' && expect !== 'deny') issue([...at, 'expect'], 'expect must be allow or deny');
    const from = peer(raw['from'], [...at, 'from'], issue);
    const to = peer(raw['to'], [...at, 'to'], issue);
    const connections = connectionsOf(raw, at, issue);
    if (errors.length > before || !from || !to || !connections || typeof name !== 'string') return;
    const line = lineOf(() => locator.locate(0, at, 'value').line);
    intents.push({ name, from, to, connections, expect: expect as 'allow' | 'deny', file: file.path, line });
  });
  return { intents, errors };
}

function lineOf(find: () => number): number {
  try {
    return find();
  } catch {
    return 0;
  }
}

function peer(raw: unknown, at: (string | number)[], issue: (path: (string | number)[], message: string) => void): IntentPeer | undefined {
  if (!isObj(raw)) {
    issue(at, 'a peer is a mapping: {namespace}, {selector}, {namespaceSelector} or {cidr}');
    return undefined;
  }
  for (const k of Object.keys(raw)) if (!PEER_KEYS.has(k)) issue([...at, k], `unknown peer field "${k}" (namespace, selector, namespaceSelector or cidr)`);
  const out: { namespace?: string; selector?: SelectorNode; namespaceSelector?: SelectorNode; cidr?: string } = {};
  if (raw['cidr'] !== undefined) {
    const c = typeof raw['cidr'] === 'string' ? parseCidr(raw['cidr'], { allowBareIp: true }) : undefined;
    if (!c?.ok) issue([...at, 'cidr'], `cidr ${JSON.stringify(raw['cidr'])} is not a CIDR`);
    else out.cidr = formatCidr(c.cidr);
    if (Object.keys(raw).length > 1) issue(at, 'cidr stands alone in a peer');
  }
  if (raw['namespace'] !== undefined) {
    if (typeof raw['namespace'] !== 'string') issue([...at, 'namespace'], 'namespace must be a string');
    else out.namespace = raw['namespace'];
  }
  for (const key of ['selector', 'namespaceSelector'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const r = typeof v === 'string' ? parseSelector(v, { context: key === 'selector' ? 'endpoint' : 'namespace' }) : undefined;
    if (!r?.ok) issue([...at, key], `${key} does not parse${r && !r.ok ? `: ${r.message}` : ''}`);
    else out[key] = r.ast;
  }
  if (out.namespace !== undefined && out.namespaceSelector !== undefined) issue(at, 'give namespace or namespaceSelector, not both');
  if (Object.keys(raw).length === 0) issue(at, 'an empty peer matches nothing; give namespace, selector, namespaceSelector or cidr');
  return { ...out, text: describePeer(raw) };
}

function describePeer(raw: Obj): string {
  return Object.entries(raw)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

function connectionsOf(raw: Obj, at: (string | number)[], issue: (path: (string | number)[], message: string) => void): ConnectionSet | undefined {
  const protocolRaw = raw['protocol'];
  let protocol: number | undefined;
  if (protocolRaw !== undefined) {
    protocol = typeof protocolRaw === 'number' ? protocolRaw : typeof protocolRaw === 'string' ? PROTOCOLS[protocolRaw] : undefined;
    if (protocol === undefined || protocol < 1 || protocol > 255) {
      issue([...at, 'protocol'], `protocol ${JSON.stringify(protocolRaw)} is not TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or 1-255`);
      return undefined;
    }
  }
  const portRaw = raw['port'];
  if (portRaw === undefined) {
    if (protocol === undefined) return ALL_CONNECTIONS;
    const d = dimensionOf(protocol);
    return d === 'other' ? onlyDimension('other', range(protocol, protocol)) : onlyDimension(d, ALL_CONNECTIONS[d]);
  }
  const d = protocol === undefined ? undefined : dimensionOf(protocol);
  if (d === undefined || !(PORT_DIMENSIONS as readonly string[]).includes(d)) {
    issue([...at, 'port'], 'a port needs protocol TCP, UDP or SCTP');
    return undefined;
  }
  const ports = parseRanges(String(portRaw));
  if (!ports || ports.length === 0 || ports[0]! < 1 || ports[ports.length - 1]! > 65535) {
    issue([...at, 'port'], `port ${JSON.stringify(portRaw)} is not a port, a range a:b or a list (1-65535)`);
    return undefined;
  }
  return onlyDimension(d as (typeof PORT_DIMENSIONS)[number], ports);
}

/** CIDRs the intents name: they must be peers of the analysis. */
export function intentCidrs(intents: readonly Intent[]): string[] {
  return intents.flatMap((i) => [i.from.cidr, i.to.cidr]).filter((c): c is string => c !== undefined);
}

function peerMatches(p: IntentPeer, e: Entity): boolean {
  if (p.cidr !== undefined) return e.kind === 'cidr' && e.title === p.cidr;
  if (e.kind === 'cidr' || !e.subject) return false;
  if (p.namespace !== undefined && e.namespace !== p.namespace) return false;
  if (p.namespaceSelector && (e.kind !== 'pods' || !matchesLabels(p.namespaceSelector, e.subject.namespaceLabels ?? {}))) return false;
  if (p.selector && !matchesLabels(p.selector, e.subject.labels)) return false;
  if (p.namespace === undefined && !p.namespaceSelector && !p.selector) return false;
  return true;
}

const EXAMPLES = 3;

/** Every violated intent as an error (name, file, line, example peers); vacuous ones as warnings. */
export function checkIntents(analysis: Analysis, intents: readonly Intent[]): Issues {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const entities = analysis.universe.entities;
  for (const intent of intents) {
    const froms = entities.filter((e) => peerMatches(intent.from, e));
    const tos = entities.filter((e) => peerMatches(intent.to, e));
    const at = { file: intent.file, line: intent.line, column: intent.line > 0 ? 1 : 0, path: '' };
    if (froms.length === 0 || tos.length === 0) {
      const side = froms.length === 0 ? `from (${intent.from.text})` : `to (${intent.to.text})`;
      warnings.push({ severity: 'warning', ...at, code: 'intent-vacuous', message: `intent "${intent.name}": ${side} matches no peer of the workloads, so it checks nothing` });
      continue;
    }
    const examples: string[] = [];
    let pairs = 0;
    for (const src of froms) {
      for (const dst of tos) {
        if (src.kind === 'cidr' && dst.kind === 'cidr') continue;
        const count = src.members.length * dst.members.length - (src === dst ? src.members.length : 0);
        if (count <= 0) continue;
        const want = intersectSets(intent.connections, familyStart(src, dst));
        const allowed = analysis.allowed(src, dst);
        const wrong = intent.expect === 'allow' ? subtractSets(want, allowed) : intersectSets(want, allowed);
        if (isEmptySet(wrong)) continue;
        pairs += count;
        if (examples.length < EXAMPLES) {
          const detail = analysis.detail(src, dst);
          const why = shortWhy(whyOf(detail, wrong, intent.expect === 'allow' ? 'deny' : 'allow'));
          const f = src.members[0]!;
          const t = dst.members.find((m) => m !== f) ?? dst.members[0]!;
          examples.push(`${f} → ${t} ${intent.expect === 'allow' ? 'denies' : 'allows'} ${describeSet(wrong)}${why ? ` (${intent.expect === 'allow' ? 'denied' : 'allowed'} by ${why})` : ''}`);
        }
      }
    }
    if (pairs === 0) continue;
    const more = pairs > examples.length ? `; ${pairs - examples.length} more pair${pairs - examples.length === 1 ? '' : 's'}` : '';
    errors.push({ severity: 'error', ...at, code: 'intent', message: `intent "${intent.name}" (expect ${intent.expect}) is violated: ${examples.join('; ')}${more}` });
  }
  return { errors, warnings };
}
