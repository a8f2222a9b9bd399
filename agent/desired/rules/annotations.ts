// Annotations as libcalico-go checks them (lib/validator/v3/validator.go:2144-2168 at v3.31,
// validateObjectMetaAnnotations): each key lower-cased, then checked as a qualified name; keys and
// values together at most 256 KiB. Used for metadata.annotations and for a rule's
// metadata.annotations (validator.go:2193, validateRuleMetadata).
import type { JsonObject } from '../../domain/index.js';
import type { DocumentView, Path } from '../document.js';
import { labelKeyProblem } from './names.js';

/** validator.go:48, totalAnnotationSizeLimitB. */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

/** Reports bad keys and an oversized total; returns the keys that passed, for further checks. */
export function checkAnnotations(doc: DocumentView, path: Path, annotations: JsonObject | undefined): string[] {
  if (!annotations) return [];
  const good: string[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    total += Buffer.byteLength(key, 'utf8') + (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
    const problem = labelKeyProblem(key.toLowerCase());
    if (problem) doc.report({ path: [...path, key], at: 'key', code: 'annotation', message: `annotation key "${key}": ${problem}` });
    else good.push(key);
  }
  if (total > MAX_ANNOTATION_BYTES) {
    doc.report({ path, code: 'annotation', message: `annotations total ${total} bytes (keys and values), more than the ${MAX_ANNOTATION_BYTES} Calico allows, by ${total - MAX_ANNOTATION_BYTES}` });
  }
  return good;
}
