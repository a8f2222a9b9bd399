// Text rendering of a plan for people: per-resource diffs, skipped objects with their reason, and
// the summary line. Pure; the CLI decides whether colours are wanted.
import { displayKey } from '../domain/resource.js';
import type { Plan, PlanStep, SkippedStep } from '../domain/state.js';
import { diffManifests, withContext, type DiffLine } from './diff.js';

export interface RenderOptions {
  /** ANSI colours (the CLI turns them off when not a TTY or with NO_COLOR). */
  readonly color: boolean;
  /** Unchanged lines shown around each change of an update. */
  readonly context?: number;
  /** Print diffs (true) or only one line per resource (false). */
  readonly diffs?: boolean;
}

const ANSI = { red: '31', green: '32', yellow: '33', cyan: '36', dim: '2', bold: '1' } as const;
type Colour = keyof typeof ANSI;

/** `3 to create, 1 to update, 0 to delete`. */
export function summaryLine(plan: Plan): string {
  const count = (action: PlanStep['action']): number => plan.steps.filter((s) => s.action === action).length;
  return `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete`;
}

export function renderPlan(plan: Plan, options: RenderOptions): string {
  const paint = (colour: Colour, text: string): string => (options.color ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text);
  const context = options.context ?? 3;
  const out: string[] = [];
  for (const step of plan.steps) {
    out.push(paint(headerColour(step.action), `${SIGN[step.action]} ${step.action} ${displayKey(step.key)}`));
    if (options.diffs === false || step.action === 'delete') continue;
    const lines = step.action === 'create' ? diffManifests(undefined, step.manifest) : diffManifests(step.before, step.manifest);
    for (const line of withContext(lines, step.action === 'create' ? Number.MAX_SAFE_INTEGER : context)) {
      if (line.op === 'gap') out.push(paint('dim', `    … ${line.skipped} unchanged line(s)`));
      else out.push(paintLine(line, paint));
    }
  }
  for (const s of plan.skipped) {
    out.push(paint('yellow', `! skipped ${s.wanted} ${displayKey(s.key)} (${s.reason}): ${s.message}`));
  }
  if (plan.held) out.push(paint('bold', paint('red', `held (${plan.held.reason}): ${plan.held.message}`)));
  const extra = [`${plan.unchanged} unchanged`, ...(plan.skipped.length > 0 ? [`${plan.skipped.length} skipped`] : [])];
  out.push(`${paint('bold', summaryLine(plan))} (${extra.join(', ')})`);
  return `${out.join('\n')}\n`;
}

const SIGN: Record<PlanStep['action'], string> = { create: '+', update: '~', delete: '-' };

function headerColour(action: PlanStep['action']): Colour {
  return action === 'create' ? 'green' : action === 'update' ? 'yellow' : 'red';
}

function paintLine(line: DiffLine, paint: (c: Colour, t: string) => string): string {
  const text = `    ${line.op} ${line.text}`;
  if (line.op === '+') return paint('green', text);
  if (line.op === '-') return paint('red', text);
  return text;
}

/** `1 conflict: GlobalNetworkPolicy x already exists … (+1 more)`, for statuses and logs. */
export function describeConflicts(skipped: readonly SkippedStep[]): string {
  const first = skipped[0];
  const more = skipped.length > 1 ? ` (+${skipped.length - 1} more)` : '';
  return `${skipped.length} conflict${skipped.length === 1 ? '' : 's'}: ${first?.message ?? ''}${more}`;
}
