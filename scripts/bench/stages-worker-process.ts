// The `deployed` topology's worker: `calico-gitops worker` as its own process, the way deploy/ runs
// it (a separate Deployment), so the controller's work on its event loop (the impact after the
// enqueue) cannot delay the pickup. Its pino lines (the CLI logs JSON to stderr, ISO times) are
// parsed into the bench's line list with their times in ms: both processes read the same clock.
import { startTsxChild, type Child } from './stages-child.js';
import type { LogLine } from './stages-figures.js';

export interface WorkerProcessOptions {
  /** Config flags without dashes, as the CLI spells them (`kubeconfig`, `log-level`, …). */
  readonly flags: Readonly<Record<string, string>>;
  readonly onLine: (line: LogLine) => void;
}

export function startWorkerProcess(o: WorkerProcessOptions): Child {
  return startTsxChild({
    name: 'calico-gitops worker',
    entry: ['agent', 'cli', 'main.ts'],
    args: ['worker', ...Object.entries(o.flags).flatMap(([k, v]) => [`--${k}`, v])],
    onLine: (text) => {
      const line = parseLine(text);
      if (line) o.onLine(line);
    },
  });
}

/** A pino JSON line with its time in ms (the CLI logger writes ISO times), or undefined. */
function parseLine(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const time = typeof raw['time'] === 'number' ? raw['time'] : typeof raw['time'] === 'string' ? Date.parse(raw['time']) : Number.NaN;
    if (!Number.isFinite(time)) return undefined;
    return {
      time,
      source: 'worker',
      ...(typeof raw['msg'] === 'string' ? { msg: raw['msg'] } : {}),
      ...(typeof raw['revision'] === 'string' ? { revision: raw['revision'] } : {}),
      ...(typeof raw['fetch'] === 'boolean' ? { fetch: raw['fetch'] } : {}),
    };
  } catch {
    return undefined;
  }
}
