// What the job processors need from the executor and from reporting; implemented in
// agent/executor (CalicoctlExecutor, verify) and agent/report (statuses, audit stream).
import type { SerializedError } from '../domain/errors.js';
import type { KindId } from '../domain/kinds.js';
import type { ResourceKey } from '../domain/resource.js';
import type { PlanStep, SkippedStep, StepAction, StepOutcome, StepResult } from '../domain/state.js';
import type { JobKind } from './jobs.js';

export interface ExecutorPort {
  /** Applies the steps in order; per-resource failures are results, a failed pod is a thrown AgentError. */
  execute(input: { steps: readonly PlanStep[]; jobId: string; signal?: AbortSignal }): Promise<readonly StepResult[]>;
}

export interface VerifyOutcome {
  readonly ok: boolean;
  /** Resources whose live state did not reach the intended one, with what was seen. */
  readonly differing: readonly { readonly key: ResourceKey; readonly message: string }[];
}

export interface VerifyPort {
  verify(input: { steps: readonly PlanStep[]; timeoutMs: number; signal?: AbortSignal }): Promise<VerifyOutcome>;
}

export interface ApplyReport {
  readonly kind: JobKind;
  readonly revision: string;
  readonly planId: string;
  readonly jobId: string;
  readonly results: readonly StepResult[];
  /** What the plan did not do and why (conflicts with unowned objects): reported with the results. */
  readonly skipped?: readonly SkippedStep[];
}

/** Commit statuses, metrics: the outcome of one job, posted once per final state. */
export interface ApplyReporter {
  applied(report: ApplyReport): Promise<void>;
  /** The job failed for good (stalled, or its last retry); `error` is safe to show. */
  failed(report: ApplyReport & { readonly error: SerializedError }): Promise<void>;
}

/** Field names follow agent/report's AuditLog entry, so adapting is a plain mapping. */
export interface AuditEntry {
  /** ISO time of the apply. */
  readonly time: string;
  readonly kind: JobKind;
  readonly revision: string;
  readonly author: string;
  readonly jobId: string;
  readonly action: StepAction;
  /** Resource key `Kind/namespace/name`. */
  readonly resource: ResourceKey;
  readonly kindId: KindId;
  /** Hash of the object removed (delete); updates carry no before-hash in the plan. */
  readonly beforeHash?: string;
  /** Hash written (create, update). */
  readonly afterHash?: string;
  readonly outcome: StepOutcome;
  readonly message: string;
}

/** The audit stream: every attempted change, each attempt. */
export interface AuditSink {
  record(entries: readonly AuditEntry[]): Promise<void>;
}
