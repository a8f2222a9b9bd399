// A selector-valued field: parsed with the real grammar, the error pointing inside the string.
import type { JsonObject } from '../../domain/index.js';
import type { DocumentView, Path } from '../document.js';
import { parseSelector, type SelectorContext, type SelectorResult } from '../selector/index.js';
import { hasV333Limits, V333 } from './limits-v333.js';

// Repositories repeat the same selectors (`all()`, `k8s-app == 'kube-dns'`) hundreds of times;
// parsing is pure, so results are memoised (bounded: cleared when it grows large).
const cache = new Map<string, SelectorResult>();
const CACHE_LIMIT = 20_000;

function parseCached(text: string, context: SelectorContext, maxLength: number | undefined): SelectorResult {
  const key = `${context}\u0000${maxLength ?? ''}\u0000${text}`;
  let result = cache.get(key);
  if (!result) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    result = parseSelector(text, maxLength === undefined ? { context } : { context, maxLength });
    cache.set(key, result);
  }
  return result;
}

function check(doc: DocumentView, base: Path, field: string, value: unknown, context: SelectorContext, maxLength: number | undefined): void {
  if (typeof value !== 'string') return;
  const result = parseCached(value, context, maxLength);
  if (!result.ok) doc.report({ path: [...base, field], code: 'selector', offset: result.offset, message: `invalid selector: ${result.message}` });
}

/**
 * Checks `container[field]` (at `base.field`) as a selector; the path is built only on error.
 * From v3.33 the field is capped at 1024 characters (limits-v333.ts).
 */
export function checkSelector(doc: DocumentView, base: Path, field: string, value: unknown, context: SelectorContext): void {
  check(doc, base, field, value, context, hasV333Limits(doc) ? V333.selectorLength : undefined);
}

/** A selector field v3.33 leaves without a length cap (a rule's serviceAccounts.selector). */
export function checkUncappedSelector(doc: DocumentView, base: Path, field: string, value: unknown, context: SelectorContext): void {
  check(doc, base, field, value, context, undefined);
}

/** Checks `fields` of `container` (at `base`) as selectors of one context. */
export function checkSelectors(doc: DocumentView, base: Path, container: JsonObject, fields: readonly string[], context: SelectorContext): void {
  for (const f of fields) checkSelector(doc, base, f, container[f], context);
}
