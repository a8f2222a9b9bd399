// calicoctl's result summaries (commands/apply.go, create.go, replace.go, delete.go, validate.go):
// which lines go to stdout, which error to stderr, and the exit status.
import type { CtlVerb } from './args.js';

export interface CtlLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface CtlOutcome {
  readonly exitCode: number;
  readonly lines: readonly CtlLine[];
}

export interface BatchResult {
  readonly verb: Exclude<CtlVerb, 'get' | 'version'>;
  /** Resources in the input. */
  readonly total: number;
  /** Resources written (or validated) successfully before the first failure. */
  readonly handled: number;
  /** The kind when every resource has the same kind, else empty. */
  readonly singleKind: string;
  /** Error texts of failed resources, in order. */
  readonly errors: readonly string[];
  /** `continue`: upstream's loop over every resource (see FailureMode in calicoctl.ts). */
  readonly mode?: FailureMode;
}

/**
 * `stop` (CALICO.md, the default): a multi-document file stops at the first failure.
 * `continue`: what calicoctl's ExecuteConfigCommand does in current releases for apply, create,
 * delete and validate: every resource is attempted, failures are collected, and the "Partial
 * success" line only appears when successes outnumber failures (upstream's own condition).
 */
export type FailureMode = 'stop' | 'continue';

const PAST: Readonly<Record<BatchResult['verb'], string>> = {
  apply: 'applied',
  create: 'created',
  replace: 'replaced',
  delete: 'deleted',
  validate: 'validated',
};

const out = (text: string): CtlLine => ({ stream: 'stdout', text });
const err = (text: string): CtlLine => ({ stream: 'stderr', text });

/** Go's `%v` of an `[]error`. */
function goErrList(errors: readonly string[]): string {
  return `[${errors.join(' ')}]`;
}

export function noResources(): CtlOutcome {
  return { exitCode: 0, lines: [out('No resources specified')] };
}

export function fatal(message: string): CtlOutcome {
  return { exitCode: 1, lines: [err(message)] };
}

/** A file that could not be loaded: nothing was written. */
export function fileInvalid(verb: BatchResult['verb'], message: string): CtlOutcome {
  // The unknown-field rewrite is calicoctl's massageError in calicoctl.go.
  const unknown = /unknown field "([^"]+)"/.exec(message);
  if (unknown) return fatal(`field in document is not recognized or is in the wrong location: ${unknown[1]}`);
  const lead = verb === 'validate' ? 'failed to execute command' : 'Failed to execute command';
  return fatal(`${lead}: ${message}`);
}

export function summarize(r: BatchResult): CtlOutcome {
  const past = PAST[r.verb];
  const lower = r.verb === 'validate';
  const cap = (s: string): string => (lower ? s : s.charAt(0).toUpperCase() + s.slice(1));
  const kindPart = r.singleKind ? ` '${r.singleKind}'` : '';

  if (r.verb === 'delete') {
    const lines: CtlLine[] = [];
    if (r.handled > 0) lines.push(out(`Successfully deleted ${r.handled}${kindPart} resource(s)`));
    if (r.errors.length === 0) return { exitCode: 0, lines };
    const text = r.errors.map((e) => (r.singleKind ? `Failed to delete '${r.singleKind}' resource: ${e}` : `Failed to delete resource: ${e}`)).join('\n');
    return { exitCode: 1, lines: [...lines, err(text)] };
  }

  const errorText = r.verb === 'replace' ? (r.errors[0] ?? '') : goErrList(r.errors);
  if (r.errors.length === 0) return { exitCode: 0, lines: [out(`Successfully ${past} ${r.handled}${kindPart} resource(s)`)] };
  if (r.handled === 0) {
    if (r.total === 1) return fatal(`${cap(`failed to ${r.verb}`)}${kindPart} resource: ${errorText}`);
    return fatal(`${cap(`failed to ${r.verb} any`)}${kindPart} resources: ${errorText}`);
  }
  if (r.mode === 'continue' && r.handled - r.errors.length <= 0) {
    return fatal(`${r.verb === 'validate' ? 'hit error(s)' : r.verb === 'apply' ? 'Hit error(s)' : 'Hit error'}: ${errorText}`);
  }
  const hit = r.verb === 'apply' ? 'Hit error(s)' : r.verb === 'validate' ? 'hit error(s)' : 'Hit error';
  return {
    exitCode: 1,
    lines: [out(`Partial success: ${past} the first ${r.handled} out of ${r.total}${kindPart} resources:`), err(`${hit}: ${errorText}`)],
  };
}
