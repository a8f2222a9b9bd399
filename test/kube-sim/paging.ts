// Continue tokens for paged lists (like the real server's: the list's resourceVersion and the key
// of the last item returned), and generateName suffixes.
import { randomBytes } from 'node:crypto';
import { metaOf, nameOf, str } from './meta.js';
import { badRequest, type Json } from './status.js';

export function itemKey(o: Json): string {
  const ns = str(metaOf(o)['namespace']);
  return ns ? `${ns}/${nameOf(o)}` : nameOf(o);
}

export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof v.rv === 'number' && typeof v.start === 'string') return { rv: v.rv, start: v.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
}

export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}
