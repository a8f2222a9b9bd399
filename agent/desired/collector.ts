// Collects the problems rule functions report (in paths) and turns them into Issues (with
// file:line:column) at the end, locating positions lazily, once per file that has problems.
import type { CalicoVersion, Issue, JsonObject } from '../domain/index.js';
import type { DocumentView, Path, Position, Report } from './document.js';
import { columnOfOffset, createLocator, type Locator } from './parse/locator.js';
import { formatPath } from './path.js';

interface Pending {
  readonly file: string;
  readonly document: number;
  readonly report: Report;
  /** Keep only when the node is a plain (unquoted) scalar: YAML 1.1 boolean words. */
  readonly onlyIfPlain: boolean;
}

/** A DocumentView plus what the schema walker needs beyond the public contract. */
export interface InternalDocumentView extends DocumentView {
  /** Reports only if the value at `path` is written as a plain scalar (checked lazily). */
  reportIfPlain(problem: Report): void;
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
    const push = (report: Report, onlyIfPlain: boolean) => this.pending.push({ file: o.file, document: o.document, report, onlyIfPlain });
    return {
      file: o.file,
      document: o.document,
      value: o.value,
      calicoVersion: o.calicoVersion,
      lineOf: (path: Path, options?: { at?: 'key' | 'value' }): Position => {
        const located = this.locator(o.file).locate(o.document, path, options?.at ?? 'value');
        return { line: located.line, column: located.column };
      },
      report: (report) => push(report, false),
      reportIfPlain: (report) => push(report, true),
    };
  }

  /** Files that have at least one error (not counting warnings). */
  hasErrors(): boolean {
    return this.direct.some((i) => i.severity === 'error') || this.pending.some((p) => (p.report.severity ?? 'error') === 'error' && !p.onlyIfPlain);
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
