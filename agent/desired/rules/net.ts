// IP and CIDR parsing with the family, as Calico's `cidr` and `ip` validators see them.
import { isIP } from 'node:net';

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
