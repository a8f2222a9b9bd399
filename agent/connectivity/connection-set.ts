// A set of connections between two peers: destination ports per port protocol, ICMP type/code
// pairs (key type*256+code) for ICMP and ICMPv6, and the numbers of every other IP protocol.
import { EMPTY_RANGES, equalRanges, formatRanges, intersect, isEmpty, subtract, union, type Ranges } from './ranges.js';

export const DIMENSIONS = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'other'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const PORT_DIMENSIONS = ['TCP', 'UDP', 'SCTP'] as const;
export type PortDimension = (typeof PORT_DIMENSIONS)[number];

export type ConnectionSet = Readonly<Record<Dimension, Ranges>>;

/** IP protocol numbers of the named dimensions. */
export const PROTOCOL_NUMBERS: Readonly<Record<Exclude<Dimension, 'other'>, number>> = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPv6: 58 };

const ALL_PORTS: Ranges = [1, 65535];
const ALL_ICMP: Ranges = [0, 65535];
/** Protocol numbers 0-255 without the five named ones. */
const ALL_OTHER: Ranges = [0, 0, 2, 5, 7, 16, 18, 57, 59, 131, 133, 255];

export const NO_CONNECTIONS: ConnectionSet = { TCP: EMPTY_RANGES, UDP: EMPTY_RANGES, SCTP: EMPTY_RANGES, ICMP: EMPTY_RANGES, ICMPv6: EMPTY_RANGES, other: EMPTY_RANGES };
export const ALL_CONNECTIONS: ConnectionSet = { TCP: ALL_PORTS, UDP: ALL_PORTS, SCTP: ALL_PORTS, ICMP: ALL_ICMP, ICMPv6: ALL_ICMP, other: ALL_OTHER };

export function fullDimension(d: Dimension): Ranges {
  return ALL_CONNECTIONS[d];
}

/** The dimension a protocol number belongs to. */
export function dimensionOf(protocol: number): Dimension {
  for (const [d, n] of Object.entries(PROTOCOL_NUMBERS)) if (n === protocol) return d as Dimension;
  return 'other';
}

function map2(a: ConnectionSet, b: ConnectionSet, f: (x: Ranges, y: Ranges) => Ranges): ConnectionSet {
  return { TCP: f(a.TCP, b.TCP), UDP: f(a.UDP, b.UDP), SCTP: f(a.SCTP, b.SCTP), ICMP: f(a.ICMP, b.ICMP), ICMPv6: f(a.ICMPv6, b.ICMPv6), other: f(a.other, b.other) };
}

export const unionSets = (a: ConnectionSet, b: ConnectionSet): ConnectionSet => (a === NO_CONNECTIONS ? b : b === NO_CONNECTIONS ? a : map2(a, b, union));
export const intersectSets = (a: ConnectionSet, b: ConnectionSet): ConnectionSet => (a === ALL_CONNECTIONS ? b : b === ALL_CONNECTIONS ? a : map2(a, b, intersect));
export const subtractSets = (a: ConnectionSet, b: ConnectionSet): ConnectionSet => map2(a, b, subtract);

export function isEmptySet(a: ConnectionSet): boolean {
  return DIMENSIONS.every((d) => isEmpty(a[d]));
}

export function equalSets(a: ConnectionSet, b: ConnectionSet): boolean {
  return DIMENSIONS.every((d) => equalRanges(a[d], b[d]));
}

/** The contract's shape: `{"TCP": "80,443", "UDP": "", "SCTP": "", "ICMP": true, "ICMPv6": false, "other": false}`. */
export interface AllowedSummary {
  readonly TCP: string;
  readonly UDP: string;
  readonly SCTP: string;
  readonly ICMP: boolean;
  readonly ICMPv6: boolean;
  readonly other: boolean;
}

export function summarize(a: ConnectionSet): AllowedSummary {
  return {
    TCP: formatRanges(a.TCP),
    UDP: formatRanges(a.UDP),
    SCTP: formatRanges(a.SCTP),
    ICMP: !isEmpty(a.ICMP),
    ICMPv6: !isEmpty(a.ICMPv6),
    other: !isEmpty(a.other),
  };
}

/** `TCP 80,443; UDP 53; ICMP type 8`: a person's reading of a set ("all" for everything). */
export function describeSet(a: ConnectionSet): string {
  if (equalSets(a, ALL_CONNECTIONS)) return 'all';
  const parts: string[] = [];
  for (const d of PORT_DIMENSIONS) {
    if (isEmpty(a[d])) continue;
    parts.push(`${d} ${equalRanges(a[d], ALL_PORTS) ? 'all ports' : formatRanges(a[d])}`);
  }
  for (const d of ['ICMP', 'ICMPv6'] as const) {
    if (isEmpty(a[d])) continue;
    parts.push(equalRanges(a[d], ALL_ICMP) ? d : `${d} ${describeIcmp(a[d])}`);
  }
  if (!isEmpty(a.other)) parts.push(equalRanges(a.other, ALL_OTHER) ? 'other protocols' : `protocols ${formatRanges(a.other)}`);
  return parts.length === 0 ? 'nothing' : parts.join('; ');
}

function describeIcmp(r: Ranges): string {
  const parts: string[] = [];
  for (let i = 0; i < r.length && parts.length < 6; i += 2) {
    const lo = r[i]!;
    const hi = r[i + 1]!;
    if (lo % 256 === 0 && hi % 256 === 255) {
      const t0 = lo / 256;
      const t1 = (hi - 255) / 256;
      parts.push(t0 === t1 ? `type ${t0}` : `types ${t0}-${t1}`);
    } else if (lo === hi) parts.push(`type ${Math.floor(lo / 256)} code ${lo % 256}`);
    else parts.push(`type ${Math.floor(lo / 256)} codes ${lo % 256}-${hi % 256 === 255 && Math.floor(hi / 256) !== Math.floor(lo / 256) ? '…' : hi % 256}`);
  }
  return parts.join(', ') + (r.length / 2 > 6 ? ', …' : '');
}

export function onlyDimension(d: Dimension, r: Ranges): ConnectionSet {
  return { ...NO_CONNECTIONS, [d]: r };
}
