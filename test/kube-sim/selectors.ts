// Label selectors (=, ==, !=, in, notin, exists, !key) and field selectors (=, ==, !=), parsed the
// way k8s.io/apimachinery does; a parse error is a 400 with the server's wording.
import { badRequest, type Json } from './status.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' };

export function parseLabelSelector(text: string | null): Requirement[] {
  if (!text || text.trim() === '') return [];
  const out: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const p = part.trim();
    if (p === '') throw badRequest(`unable to parse requirement: found '', expected: identifier`);
    let m: RegExpExecArray | null;
    if ((m = /^!\s*([A-Za-z0-9_./-]+)$/.exec(p))) out.push({ key: m[1] ?? '', op: '!' });
    else if ((m = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p)))
      out.push({ key: m[1] ?? '', op: m[2] === 'in' ? 'in' : 'notin', values: (m[3] ?? '').split(',').map((v) => v.trim()) });
    else if ((m = /^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/.exec(p)))
      out.push({ key: m[1] ?? '', op: m[2] === '!=' ? 'notin' : 'in', values: [m[3] ?? ''] });
    else if ((m = /^([A-Za-z0-9_./-]+)$/.exec(p))) out.push({ key: m[1] ?? '', op: 'exists' });
    else throw badRequest(`unable to parse requirement: <nil>: Invalid value: "${p}": invalid label selector`);
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function matchesLabels(reqs: readonly Requirement[], labels: Record<string, unknown>): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? String(labels[r.key]) : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
    }
  });
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export function parseFieldSelector(text: string | null, supported: readonly string[]): FieldRequirement[] {
  if (!text || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1] ?? '';
    if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, value: m[3] ?? '', negate: m[2] === '!=' };
  });
}

export function fieldValue(object: Json, path: string): string {
  let cur: unknown = object;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Json)[seg];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matchesFields(reqs: readonly FieldRequirement[], object: Json): boolean {
  return reqs.every((r) => (fieldValue(object, r.field) === r.value) !== r.negate);
}
