// Small readers over an already type-checked document (the schema walker has reported wrong
// types; rules only look at values of the right type and skip the rest).
import type { JsonObject, JsonValue } from '../../domain/index.js';
import type { DocumentView, Path } from '../document.js';

export type Rule = (doc: DocumentView) => void;

export function obj(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

export function list(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function spec(doc: DocumentView): JsonObject {
  return obj(doc.value['spec']) ?? {};
}

export function metadata(doc: DocumentView): JsonObject {
  return obj(doc.value['metadata']) ?? {};
}

export function error(doc: DocumentView, path: Path, code: string, message: string): void {
  doc.report({ path, code, message });
}

export function warning(doc: DocumentView, path: Path, code: string, message: string): void {
  doc.report({ path, code, message, severity: 'warning' });
}
