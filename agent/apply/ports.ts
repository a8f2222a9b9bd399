// What the apply pipeline needs from the executor, the live view and the audit stream; implemented
// in agent/executor (CalicoctlExecutor, liveVerifier) and agent/report (AuditLog).
import type { StepResult, PlanStep } from '../domain/state.js';
import type { VerifyResult } from '../executor/verify.js';
import type { AuditEntry } from '../report/audit-log.js';

export interface ExecutorPort {
  /** Applies the steps in order; per-resource failures are results, a failed pod is a thrown AgentError. */
  execute(input: { steps: readonly PlanStep[]; jobId: string; signal?: AbortSignal }): Promise<readonly StepResult[]>;
}

export interface VerifyPort {
  verify(input: { steps: readonly PlanStep[]; timeoutMs: number; signal?: AbortSignal }): Promise<VerifyResult>;
}

/** The audit stream: every change of a job, once. */
export interface AuditSink {
  /** With `once`, an entry already appended under that key (same action, resource, hash, result) is left out. */
  append(entries: readonly AuditEntry[], options?: { readonly once?: string }): Promise<unknown>;
}

/** The metrics the pipeline feeds (agent/report's AgentMetrics has them). */
export interface ApplyMetrics {
  readonly stepOutcomes: { inc(labels: { action: string; outcome: string }): void };
  readonly syncDuration: { startTimer(): (labels: { outcome: string }) => unknown };
  readonly lastAppliedRevision: { reset(): void; set(labels: { revision: string }, value: number): void };
}
