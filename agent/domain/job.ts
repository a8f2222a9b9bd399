// What one queued job came to, as data: the worker stores it as the job's result in the queue, and
// the controller reads it back (with the job's state) to decide the commit status. Nothing else
// carries a job's outcome, so a restart or a new leader reads the same answer.
import type { SerializedError } from './errors.js';
import type { SkippedStep, StepResult } from './state.js';

/** The settled result of one job: applied (and verified), failed for good, or skipped. */
export type ApplyResult =
  | {
      readonly kind: 'applied';
      readonly results: readonly StepResult[];
      /** What the plan did not do and why (conflicts with unowned objects). */
      readonly skipped: readonly SkippedStep[];
    }
  | { readonly kind: 'failed'; readonly error: SerializedError; readonly results: readonly StepResult[] }
  /** A newer revision was known when the job started: applying it would undo the newer one. */
  | { readonly kind: 'superseded'; readonly latest: string };

/** A job as the queue holds it. `failed` is a job that ended without a result (see reason). */
export type JobState =
  | { readonly id: string; readonly state: 'active' }
  /** `round` > 1: an earlier run of this plan failed for good and this one waits out a pause. */
  | { readonly id: string; readonly state: 'queued'; readonly round?: { readonly number: number; readonly after?: string } }
  | { readonly id: string; readonly state: 'settled'; readonly result: ApplyResult }
  | { readonly id: string; readonly state: 'failed'; readonly reason: string };
