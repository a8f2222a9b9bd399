// The page behind an impact status (`/impact/<sha>`): the whole table of a revision's impact as
// plain HTML, readable without JavaScript (none is served). Everything shown comes from the
// repository (policy names, files, intent names), so every value is escaped.
import type { DiffChangeJson, ImpactReport, IntentFinding } from '../connectivity/impact-report.js';
import { impactDescription } from '../connectivity/impact-report.js';
import type { ImpactLookup } from './impact-store.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** For the response: no script may run, whatever a value slipped past escaping would try. */
export const IMPACT_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.opened{color:#075e00}.closed{color:#a00000}code{font-size:.9em}`;

function changeRows(c: DiffChangeJson): string[] {
  const rows: string[] = [];
  const row = (cls: string, sign: string, text: string, by: string) =>
    `<tr class="${cls}"><td>${sign}</td><td>${escapeHtml(c.from)}</td><td>${escapeHtml(c.to)}</td><td>${escapeHtml(text)}</td><td>${escapeHtml(by)}</td></tr>`;
  if (c.openedText !== '') rows.push(row('opened', 'opened', c.openedText, c.openedBy));
  if (c.closedText !== '') rows.push(row('closed', 'closed', c.closedText, c.closedBy));
  return rows;
}

function findings(title: string, list: readonly IntentFinding[]): string {
  if (list.length === 0) return '';
  const items = list.map((f) => `<li><code>${escapeHtml(f.file)}${f.line > 0 ? `:${f.line}` : ''}</code> ${escapeHtml(f.message)}</li>`);
  return `<h3>${escapeHtml(title)}</h3><ul>${items.join('')}</ul>`;
}

function intentsSection(r: ImpactReport): string {
  if (!r.intents) return '<h2>Intents</h2><p>This revision declares no intents.</p>';
  const held = r.intents.violated.length === 0 ? '<p>Every declared intent holds.</p>' : '';
  return `<h2>Intents</h2>${held}${findings('Violated', r.intents.violated)}${findings('Warnings', r.intents.warnings)}`;
}

export function renderImpactPage(r: ImpactReport): string {
  const rows = r.diff.changes.flatMap(changeRows);
  const table =
    rows.length === 0
      ? '<p>No connection is opened or closed.</p>'
      : `<table><thead><tr><th>Change</th><th>From</th><th>To</th><th>Connections</th><th>Decided by</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const omitted = r.diff.omitted > 0 ? `<p>${r.diff.omitted} more changed pairs are not shown (plan --json lists them all).</p>` : '';
  const title = `Impact of ${r.revision.slice(0, 12)} on ${r.cluster}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p id="summary">${escapeHtml(impactDescription(r))}</p>
<p>Commit <code>${escapeHtml(r.revision)}</code>, compared with the policies the cluster ran at ${escapeHtml(r.computedAt)}, on its workloads then.</p>
<h2>Connections</h2>${table}${omitted}
${intentsSection(r)}
</body></html>
`;
}

/** The page for an unknown commit (404): says why, without echoing the request. */
export function renderUnknownImpactPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Impact report not found</title></head>
<body><h1>Impact report not found</h1><p>The agent keeps reports of the revisions it planned recently; this commit has none. Give the commit id, whole or its first 7 or more hex digits.</p></body></html>
`;
}

/** The page for a prefix several kept reports share (404): the commits it could mean. */
export function renderAmbiguousImpactPage(prefix: string, matches: readonly string[]): string {
  const items = matches.map((sha) => `<li><a href="${escapeHtml(sha)}"><code>${escapeHtml(sha)}</code></a></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ambiguous commit id</title></head>
<body><h1>Ambiguous commit id</h1><p><code>${escapeHtml(prefix)}</code> is the start of ${matches.length} kept reports; give more of the commit id:</p><ul>${items}</ul></body></html>
`;
}

/** The answer to `/impact/<sha>` from a store lookup. */
export function impactPageFor(sha: string, found: ImpactLookup): { found: boolean; html: string } {
  if (found.kind === 'found') return { found: true, html: renderImpactPage(found.report) };
  if (found.kind === 'ambiguous') return { found: false, html: renderAmbiguousImpactPage(sha, found.matches) };
  return { found: false, html: renderUnknownImpactPage() };
}
