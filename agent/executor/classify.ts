// Turns calicoctl and kubectl error text into a step outcome. Calico changed the case of its
// messages around v3.31, so every pattern is case-insensitive.
import type { StepOutcome } from '../domain/state.js';

type FailureOutcome = Exclude<StepOutcome, 'ok' | 'not-run'>;

const RULES: readonly { readonly outcome: FailureOutcome; readonly pattern: RegExp }[] = [
  { outcome: 'forbidden', pattern: /forbidden|unauthori[sz]ed|cannot (?:create|update|patch|delete|get|list) resource/i },
  { outcome: 'conflict', pattern: /already exists|the object has been modified|conflict/i },
  {
    outcome: 'invalid',
    pattern: /invalid|validat|error with field|cannot unmarshal|unknown field|failed to parse|decode|unprocessable|resource does not exist: tier|tier .*(?:not found|does not exist)/i,
  },
];

/** Anything not recognised is assumed to pass (network blips, API server restarts): retryable. */
export function classifyError(text: string): FailureOutcome {
  for (const rule of RULES) if (rule.pattern.test(text)) return rule.outcome;
  return 'retryable';
}

export interface VersionMismatch {
  readonly client?: string;
  readonly cluster?: string;
}

/** calicoctl's version check: `Version mismatch.` then `Client Version: …` / `Cluster Version: …`. */
export function detectVersionMismatch(log: string): VersionMismatch | undefined {
  // Only calicoctl's own verdict; "Unable to get Cluster Information to verify version mismatch"
  // (forbidden, unreachable) is an ordinary error.
  if (!/^\s*version mismatch\b/im.test(log)) return undefined;
  const client = /client version:\s*(\S+)/i.exec(log)?.[1];
  const cluster = /cluster version:\s*(\S+)/i.exec(log)?.[1];
  return { ...(client ? { client } : {}), ...(cluster ? { cluster } : {}) };
}

/** The most telling line of a failed container's output, kept short for statuses. */
export function errorLine(log: string, max = 300): string {
  const lines = log.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const telling =
    lines.find((l) => /^error|failed|hit error|forbidden|invalid|already exists/i.test(l) && !/^partial success/i.test(l)) ??
    lines.filter((l) => !/^(partial success|successfully applied)/i.test(l)).at(-1) ??
    lines.at(-1) ??
    '';
  return telling.length > max ? `${telling.slice(0, max - 1)}…` : telling;
}
