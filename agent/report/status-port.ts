// Adapts a StatusReporter (forge, dedup, Redis store) to what the controller posts:
// {sha, kind, state, description} → CommitStatus with the cluster's context.
import { statusContext, type StatusKind, type StatusReporter, type StatusState } from './commit-status.js';

export interface StatusPostInput {
  readonly sha: string;
  readonly kind: StatusKind;
  readonly state: StatusState;
  readonly description: string;
  /** This status's link (the impact page); else the port's. */
  readonly targetUrl?: string;
}

export function statusPortFor(options: { reporter: StatusReporter; cluster: string; targetUrl?: string }): { post(input: StatusPostInput): Promise<void> } {
  return {
    post: (input) =>
      options.reporter.post({
        sha: input.sha,
        context: statusContext(options.cluster, input.kind),
        state: input.state,
        description: input.description,
        ...((input.targetUrl ?? options.targetUrl) ? { targetUrl: input.targetUrl ?? options.targetUrl } : {}),
      }),
  };
}

/** Posts to several reporters (e.g. the forge and the Redis store behind `calico-gitops status`). */
export function teeReporter(reporters: readonly StatusReporter[]): StatusReporter {
  return {
    post: async (status) => {
      const results = await Promise.allSettled(reporters.map((r) => r.post(status)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
