// Splits a calicoctl input file into its documents, each with the line it starts on, so the
// validator's line-numbered issues can be attached to the document (= resource) they belong to.
import yaml from 'js-yaml';

export interface LoadedDocument {
  /** 0-based index among the non-empty documents. */
  readonly index: number;
  /** 1-based first and last line of the document in the file. */
  readonly startLine: number;
  readonly endLine: number;
  readonly value: Record<string, unknown>;
}

export type LoadResult =
  | { readonly ok: true; readonly documents: readonly LoadedDocument[] }
  | { readonly ok: false; readonly message: string };

const SEPARATOR = /^---(\s|$)/;

/** Loads every YAML (or JSON) document of a file; a syntax error fails the whole file. */
export function loadDocuments(content: string): LoadResult {
  const lines = content.split(/\r?\n/);
  const chunks: { start: number; end: number; text: string }[] = [];
  let start = 1;
  let buf: string[] = [];
  lines.forEach((line, i) => {
    if (SEPARATOR.test(line)) {
      chunks.push({ start, end: i, text: buf.join('\n') });
      buf = [line.replace(SEPARATOR, '')];
      start = i + 1;
    } else {
      buf.push(line);
    }
  });
  chunks.push({ start, end: lines.length, text: buf.join('\n') });

  const documents: LoadedDocument[] = [];
  for (const chunk of chunks) {
    let value: unknown;
    try {
      value = yaml.load(chunk.text);
    } catch (err) {
      const reason = err instanceof yaml.YAMLException ? err.reason : String(err);
      const mark = err instanceof yaml.YAMLException && err.mark ? `line ${chunk.start + err.mark.line}: ` : '';
      return { ok: false, message: `error converting YAML to JSON: yaml: ${mark}${reason}` };
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, message: 'error unmarshaling JSON: json: cannot unmarshal into Go value of type unversioned.TypeMeta' };
    }
    // Leading blank/comment lines belong to the document for line mapping; that is harmless.
    documents.push({ index: documents.length, startLine: chunk.start, endLine: chunk.end, value: value as Record<string, unknown> });
  }
  return { ok: true, documents };
}
