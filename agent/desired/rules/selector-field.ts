// A selector-valued field: parsed with the real grammar, the error pointing inside the string.
import type { JsonObject } from '../../domain/index.js';
import type { DocumentView, Path } from '../document.js';
import { parseSelector, type SelectorContext, type SelectorResult } from '../selector/index.js';

// Repositories repeat the same selectors (`all()`, `k8s-app == 'kube-dns'`) hundreds of times;
// parsing is pure, so results are memoised (bounded: cleared when it grows large).
const cache = new Map<string, SelectorResult>();
const CACHE_LIMIT = 20_000;

function parseCached(text: string, context: SelectorContext): SelectorResult {
  const key = `${context}\u0000${text}`;
  let result = cache.get(key);
  if (!result) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    result = parseSelector(text, { context });
    cache.set(key, result);
  }
  return result;
}

/** Checks `container[field]` (at `base.field`) as a selector; the path is built only on error. */
export function checkSelector(doc: DocumentView, base: Path, field: string, value: unknown, context: SelectorContext): void {
  if (typeof value !== 'string') return;
  const result = parseCached(value, context);
  if (!result.ok) doc.report({ path: [...base, field], code: 'selector', offset: result.offset, message: `invalid selector: ${result.message}` });
}

/** Checks `fields` of `container` (at `base`) as selectors of one context. */
export function checkSelectors(doc: DocumentView, base: Path, container: JsonObject, fields: readonly string[], context: SelectorContext): void {
  for (const f of fields) checkSelector(doc, base, f, container[f], context);
}
