// The view of one YAML document that validation rules receive. Rules read `value` and push
// problems through `report`; where in the file a problem sits (line, column) is resolved by the
// parser layer, lazily, so rules only speak in paths. Kept deliberately small and stable: the
// rule files of several engineers code against it.
import type { CalicoVersion, JsonObject, Severity } from '../domain/index.js';

/** One step into a document: a mapping key or a sequence index. */
export type PathSegment = string | number;
/** From the document root: `['spec', 'ingress', 0, 'source', 'selector']`. */
export type Path = readonly PathSegment[];

/** 1-based line and column in the file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** An Issue as a rule reports it: by path; the collector adds file, line and column. */
export interface RuleIssue {
  /** Node the problem is about. */
  readonly path: Path;
  /** A sentence for a person; no trailing period needed. */
  readonly message: string;
  /** Stable machine-readable code: `unknown-field`, `selector`, `port`, ... */
  readonly code: string;
  /** Defaults to `error`. */
  readonly severity?: Severity;
  /**
   * Point at the mapping key instead of the value (unknown fields, misplaced keys).
   * Defaults to `value`.
   */
  readonly at?: 'key' | 'value';
  /**
   * Character offset inside a string value (a selector parse error). Added to the column when the
   * scalar is plain or quoted on one line; ignored for block scalars and multi-line strings.
   */
  readonly offset?: number;
}

export interface DocumentView {
  /** Path of the file relative to the validated root, forward slashes. */
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly document: number;
  /** The parsed document (a mapping; other shapes never reach rules). */
  readonly value: JsonObject;
  /** The Calico release being validated against. */
  readonly calicoVersion: CalicoVersion;
  /** Where a node starts; falls back to the nearest ancestor that has a position. */
  lineOf(path: Path, options?: { at?: 'key' | 'value' }): Position;
  /** Records a problem; every problem is kept, in a stable order decided later. */
  report(issue: RuleIssue): void;
  /**
   * Records a problem only if the node at its path is written as a plain (unquoted) scalar. Only a
   * view that knows how scalars were written has it (the desired stage's); others omit it.
   */
  reportIfPlain?(issue: RuleIssue): void;
}
