// Pure: audit records as a table for people, newest first as read. The CLI decides on colours.
import type { AuditAction, AuditRecord } from './audit-log.js';

export interface AuditRenderOptions {
  /** ANSI colours (only on a TTY). */
  readonly color: boolean;
}

const ANSI = { red: '31', green: '32', yellow: '33', magenta: '35', cyan: '36', dim: '2', bold: '1' } as const;
type Colour = keyof typeof ANSI;
const ACTION_COLOUR: Record<AuditAction, Colour> = { create: 'green', update: 'yellow', delete: 'red', heal: 'magenta', rollback: 'cyan' };

const HEADERS = ['TIME', 'ACTION', 'RESOURCE', 'COMMIT', 'AUTHOR', 'SUBJECT', 'RESULT', 'JOB'] as const;

export function renderAuditTable(records: readonly AuditRecord[], options: AuditRenderOptions): string {
  const paint = (colour: Colour, text: string): string => (options.color ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text);
  const rows = records.map((r) => ({
    cells: [
      r.time.replace(/\.\d{3}Z$/, 'Z'),
      r.action,
      r.resource,
      r.revision.slice(0, 12),
      r.author,
      subjectOf(r),
      resultOf(r),
      r.jobId,
    ],
    record: r,
  }));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((row) => (row.cells[i] ?? '').length)));
  const pad = (cells: readonly string[]): string[] => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)));
  const out = [paint('bold', pad(HEADERS).join('  ').trimEnd())];
  for (const row of rows) {
    const cells = pad(row.cells);
    cells[1] = paint(ACTION_COLOUR[row.record.action], cells[1] ?? '');
    if (row.record.result === 'failed') cells[6] = paint('red', cells[6] ?? '');
    out.push(cells.join('  ').trimEnd());
  }
  return `${out.join('\n')}\n`;
}

function subjectOf(r: AuditRecord): string {
  const subject = truncate(r.subject ?? '', 48);
  const extra = [
    ...(r.rollbackOf && r.rollbackOf.length > 0 ? [`rolls back ${r.rollbackOf.map((s) => s.slice(0, 12)).join(', ')}`] : []),
    ...(r.fieldManager ? [`drifted by ${r.fieldManager}`] : []),
  ];
  return [subject, ...extra.map((e) => `(${e})`)].filter(Boolean).join(' ');
}

function resultOf(r: AuditRecord): string {
  return r.result === 'failed' && r.message ? `failed: ${truncate(r.message, 60)}` : r.result;
}

function truncate(text: string, max: number): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
