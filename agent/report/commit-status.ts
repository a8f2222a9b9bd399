// Commit statuses as the agent thinks of them, before any forge's vocabulary: one context per
// cluster and stage, four states, a description short enough for every forge.

export const STATUS_STATES = ['pending', 'success', 'failure', 'error'] as const;
export type StatusState = (typeof STATUS_STATES)[number];

export const STATUS_KINDS = ['validate', 'apply', 'drift', 'impact'] as const;
export type StatusKind = (typeof STATUS_KINDS)[number];

export interface CommitStatus {
  readonly sha: string;
  /** `calico-gitops/<cluster>/<kind>`; see statusContext. */
  readonly context: string;
  readonly state: StatusState;
  /** At most 140 characters (longer text is cut with …). */
  readonly description: string;
  readonly targetUrl?: string;
}

/** The port every status destination implements (GitHub, GitLab, Gitea, Redis). */
export interface StatusReporter {
  post(status: CommitStatus): Promise<void>;
}

export function statusContext(cluster: string, kind: StatusKind): string {
  return `calico-gitops/${cluster}/${kind}`;
}

/** GitHub's limit for a status description; the others allow more, so one limit fits all. */
export const MAX_DESCRIPTION = 140;

/** Collapses whitespace and cuts at `max` characters (code points), ending with … when cut. */
export function truncateDescription(text: string, max = MAX_DESCRIPTION): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/** The same status with its description made safe to send. */
export function normalizeStatus(status: CommitStatus): CommitStatus {
  return { ...status, description: truncateDescription(status.description) };
}
