// Operator approvals of held plans (`calico-gitops approve <sha>`), kept in Redis per revision.

/** Redis key marking a revision as approved despite the delete budget. */
export function approvalKey(prefix: string, revision: string): string {
  return `${prefix}:approved:${revision}`;
}
