// IP and CIDR parsing with the family, as Calico's `cidr` and `ip` validators see them.
import { isIP } from 'node:net';
import { formatIp } from './k8s-cidr.js';

export interface ParsedNet {
  readonly family: 4 | 6;
  readonly prefix: number;
}

/** A CIDR (`10.0.0.0/8`) or a bare IP (read as /32 or /128, as Calico does). */
export function parseCidr(text: string): ParsedNet | undefined {
  const slash = text.indexOf('/');
  const ip = slash === -1 ? text : text.slice(0, slash);
  const family = isIP(ip);
  if (family !== 4 && family !== 6) return undefined;
  const max = family === 4 ? 32 : 128;
  if (slash === -1) return { family, prefix: max };
  const p = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p)) return undefined;
  const prefix = Number(p);
  return prefix <= max ? { family, prefix } : undefined;
}

export function ipFamily(text: string): 4 | 6 | undefined {
  const f = isIP(text);
  return f === 4 || f === 6 ? f : undefined;
}

/**
 * The network a CIDR with host bits set stands for (`1.2.3.4/24` -> `1.2.3.0/24`), or undefined
 * when it is already masked (or not a CIDR). Calico's `net` validator (libcalico-go
 * lib/validator/v3/validator.go:693, validateIPNetwork) rejects the former: it compares the parsed
 * IP with the IP of the parsed network.
 */
export function maskedForm(text: string): string | undefined {
  // Repositories repeat the same few CIDRs; the answer is pure, so it is memoised (bounded).
  let result = maskedCache.get(text);
  if (result === undefined) {
    if (maskedCache.size >= MASKED_CACHE_LIMIT) maskedCache.clear();
    result = computeMaskedForm(text) ?? '';
    maskedCache.set(text, result);
  }
  return result === '' ? undefined : result;
}

const maskedCache = new Map<string, string>();
const MASKED_CACHE_LIMIT = 20_000;

function computeMaskedForm(text: string): string | undefined {
  const net = parseCidr(text);
  if (!net) return undefined;
  const slash = text.indexOf('/');
  const ip = slash === -1 ? text : text.slice(0, slash);
  const bytes = net.family === 4 ? ipv4Bytes(ip) : ipv6Bytes(ip);
  if (!bytes) return undefined;
  let changed = false;
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, net.prefix - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    const masked = (bytes[i] ?? 0) & mask;
    if (masked !== bytes[i]) changed = true;
    bytes[i] = masked;
  }
  if (!changed) return undefined;
  return `${formatIp(bytes)}/${net.prefix}`;
}

function ipv4Bytes(ip: string): number[] | undefined {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : undefined;
}

function ipv6Bytes(ip: string): number[] | undefined {
  let text = ip.split('%')[0] ?? '';
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const fill = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const all = [...left, ...fill, ...right];
  if (all.length !== 8) return undefined;
  const bytes = all.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

