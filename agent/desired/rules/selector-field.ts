// A selector-valued field: parsed with the real grammar, the error pointing inside the string.
import type { JsonObject } from '../../domain/index.js';
import type { DocumentView, Path } from '../document.js';
import { parseSelector, type SelectorContext } from '../selector/index.js';

export function checkSelector(doc: DocumentView, path: Path, value: unknown, context: SelectorContext): void {
  if (typeof value !== 'string') return;
  const result = parseSelector(value, { context });
  if (!result.ok) doc.report({ path, code: 'selector', offset: result.offset, message: `invalid selector: ${result.message}` });
}

/** Checks `fields` of `container` (at `path`) as selectors of one context. */
export function checkSelectors(
  doc: DocumentView,
  path: Path,
  container: JsonObject,
  fields: readonly string[],
  context: SelectorContext,
): void {
  for (const f of fields) checkSelector(doc, [...path, f], container[f], context);
}
