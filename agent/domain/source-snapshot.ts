// What the Git source adds to the plain Snapshot: blob ids (so the desired stage can cache parses
// by blob and reparse only changed files) and the issues found while reading the tree.
import type { Issues } from './issue.js';
import type { Snapshot, SourceFile } from './state.js';

export interface SnapshotFile extends SourceFile {
  /** Git blob sha of the content: equal blobs have equal content. */
  readonly blob: string;
}

export interface SourceSnapshot extends Snapshot {
  readonly files: readonly SnapshotFile[];
  /** Files that could not be read (too large, not UTF-8): errors make the revision invalid. */
  readonly issues: Issues;
}
