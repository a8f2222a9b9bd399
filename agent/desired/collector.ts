// Collects the problems rule functions report (in paths) and turns them into Issues (with
// file:line:column) at the end, locating positions lazily, once per file that has problems.
import type { CalicoVersion, Issue, JsonObject } from '../domain/index.js';
import type { DocumentView, Path, Position, RuleIssue } from './document.js';
import { columnOfOffset, createLocator, type Locator, type ScalarStyle } from './parse/locator.js';
import { formatPath } from './path.js';

interface Pending {
  readonly file: string;
  readonly document: number;
  readonly report: RuleIssue;
  /** Keep only when the node is a plain (unquoted) scalar: YAML 1.1 boolean words. */
  readonly onlyIfPlain: boolean;
}

/** A DocumentView plus what the schema walker needs beyond the public contract. */
export interface InternalDocumentView extends DocumentView {
  /** Always present here (checked lazily): the schema walker relies on it. */
  reportIfPlain(issue: RuleIssue): void;
  /** How the node at `path` is written (locates the file now: call it only for rare cases). */
  styleOf(path: Path): ScalarStyle;
  /** The same document seen with another value (calicoctl's decoding of it). */
  withValue(value: JsonObject): InternalDocumentView;
}

export class IssueCollector {
  private readonly pending: Pending[] = [];
  private readonly direct: Issue[] = [];
  private readonly locators = new Map<string, Locator>();

  constructor(
    private readonly contents: ReadonlyMap<string, string>,
    private readonly maxDepth: number,
  ) {}

  /** An issue that already has its position (YAML errors, limits, repository-wide problems). */
  add(issue: Issue): void {
    this.direct.push(issue);
  }

  view(o: { file: string; document: number; value: JsonObject; calicoVersion: CalicoVersion }): InternalDocumentView {
    return new View(this, o.file, o.document, o.value, o.calicoVersion);
  }

  /** Records a problem of a document without holding on to its parsed value. */
  reportAt(file: string, document: number, report: RuleIssue, onlyIfPlain = false): void {
    this.pending.push({ file, document, report, onlyIfPlain });
  }

  styleAt(file: string, document: number, path: Path): ScalarStyle {
    return this.locator(file).locate(document, path, 'value').style;
  }

  /** Position of a node (locates the file lazily). */
  positionOf(file: string, document: number, path: Path, at: 'key' | 'value'): Position {
    const located = this.locator(file).locate(document, path, at);
    return { line: located.line, column: located.column };
  }

  resolve(): Issue[] {
    const out = [...this.direct];
    for (const p of this.pending) {
      const at = p.report.at ?? 'value';
      const located = this.locator(p.file).locate(p.document, p.report.path, at);
      if (p.onlyIfPlain && located.style !== 'plain') continue;
      const column = p.report.offset === undefined ? located.column : columnOfOffset(located, p.report.offset);
      out.push({
        severity: p.report.severity ?? 'error',
        file: p.file,
        line: located.line,
        column,
        path: formatPath(p.report.path),
        message: p.report.message,
        code: p.report.code,
      });
    }
    return out;
  }

  private locator(file: string): Locator {
    let locator = this.locators.get(file);
    if (!locator) {
      locator = createLocator(this.contents.get(file) ?? '', { maxDepth: this.maxDepth });
      this.locators.set(file, locator);
    }
    return locator;
  }
}

// A class rather than an object of closures: one of these exists per document.
class View implements InternalDocumentView {
  constructor(
    private readonly collector: IssueCollector,
    readonly file: string,
    readonly document: number,
    readonly value: JsonObject,
    readonly calicoVersion: CalicoVersion,
  ) {}

  lineOf(path: Path, options?: { at?: 'key' | 'value' }): Position {
    return this.collector.positionOf(this.file, this.document, path, options?.at ?? 'value');
  }

  report(report: RuleIssue): void {
    this.collector.reportAt(this.file, this.document, report);
  }

  reportIfPlain(report: RuleIssue): void {
    this.collector.reportAt(this.file, this.document, report, true);
  }

  styleOf(path: Path): ScalarStyle {
    return this.collector.styleAt(this.file, this.document, path);
  }

  withValue(value: JsonObject): InternalDocumentView {
    return value === this.value ? this : new View(this.collector, this.file, this.document, value, this.calicoVersion);
  }
}
