// IP address and CIDR parsing without regexes or dependencies, with the details validation needs:
// the family, whether host bits are set, whether an IPv4 octet had leading zeros (Kubernetes'
// "sloppy" parser reads 010 as 10; Go's net.ParseCIDR, which Calico uses, refuses it).

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** 4 or 16 bytes, network order. */
  readonly bytes: readonly number[];
  /** An IPv4 octet (also one embedded in IPv6) was written with a leading zero, e.g. `010`. */
  readonly leadingZeros: boolean;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The address as written, before masking. */
  readonly address: readonly number[];
  readonly prefix: number;
  /** The address with the host bits cleared. */
  readonly network: readonly number[];
  /** The written address is not the network address (`10.0.0.1/8`). */
  readonly hostBitsSet: boolean;
  readonly leadingZeros: boolean;
  /** True when the text had no `/prefix` and was read as a single address. */
  readonly bareIp: boolean;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly message: string };

export interface ParseCidrOptions {
  /** Read a plain address as a /32 or /128 (Calico's ParseCIDROrIP). Kubernetes' ipBlock does not. */
  readonly allowBareIp?: boolean;
}

const EXAMPLE = '(e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function parseCidr(text: string, opts: ParseCidrOptions = {}): CidrResult {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIp(addressText);
  if (!ip) {
    return { ok: false, message: `"${text}" is not a valid CIDR: "${addressText}" is not an IP address ${EXAMPLE}` };
  }
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash === -1) {
    if (!opts.allowBareIp) return { ok: false, message: `"${text}" is not a valid CIDR: the "/prefix-length" is missing ${EXAMPLE}` };
  } else {
    const prefixText = text.slice(slash + 1);
    const parsed = parseDecimal(prefixText, 3);
    if (parsed === undefined || parsed > bits) {
      return {
        ok: false,
        message: `"${text}" is not a valid CIDR: the prefix length must be a number from 0 to ${bits} for IPv${ip.family} ${EXAMPLE}`,
      };
    }
    prefix = parsed;
  }
  const network = mask(ip.bytes, prefix);
  return {
    ok: true,
    cidr: {
      family: ip.family,
      address: ip.bytes,
      prefix,
      network,
      hostBitsSet: network.some((b, i) => b !== ip.bytes[i]),
      leadingZeros: ip.leadingZeros,
      bareIp: slash === -1,
    },
  };
}

/** `inner` lies inside `outer` (equal counts). Different families never contain each other. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const masked = mask(inner.network, outer.prefix);
  return masked.every((b, i) => b === outer.network[i]);
}

/** `inner` lies inside `outer` and is smaller: what Kubernetes demands of an ipBlock `except`. */
export function isStrictSubset(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix > outer.prefix && cidrContains(outer, inner);
}

/** `10.0.0.0/8`, `2001:db8::/32`: the network in canonical form. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.network)}/${cidr.prefix}`;
}

/** Dotted quad, or RFC 5952 IPv6 (lower case, longest zero run of two or more groups as `::`). */
export function formatIp(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function parseIp(text: string): IpAddress | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  let leadingZeros = false;
  for (const part of parts) {
    const n = parseDecimal(part, 3);
    if (n === undefined || n > 255) return undefined;
    if (part.length > 1 && part.startsWith('0')) leadingZeros = true;
    bytes.push(n);
  }
  return { family: 4, bytes, leadingZeros };
}

function parseIpv6(text: string): IpAddress | undefined {
  if (text.includes('%')) return undefined; // zones have no place in a CIDR
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let leadingZeros = false;
  const readGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        leadingZeros ||= v4.leadingZeros;
        out.push(((v4.bytes[0] ?? 0) << 8) | (v4.bytes[1] ?? 0), ((v4.bytes[2] ?? 0) << 8) | (v4.bytes[3] ?? 0));
        continue;
      }
      const n = parseHexGroup(g);
      if (n === undefined) return undefined;
      out.push(n);
    }
    return out;
  };
  const head = readGroups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? readGroups(halves[1] ?? '', true) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    // "::" stands for at least one group of zeros.
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return { family: 6, bytes, leadingZeros };
}

function parseHexGroup(text: string): number | undefined {
  if (text.length === 0 || text.length > 4) return undefined;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return undefined;
    n = n * 16 + d;
  }
  return n;
}

function parseDecimal(text: string, maxDigits: number): number | undefined {
  if (text.length === 0 || text.length > maxDigits) return undefined;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function mask(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.min(8, Math.max(0, prefix - i * 8));
    return keep === 8 ? b : b & ((0xff << (8 - keep)) & 0xff);
  });
}
