// The plain values handed from stage to stage (DESIGN.md, "Data flow").
import type { Issues } from './issue.js';
import type { KindId } from './kinds.js';
import type { DesiredResource, Manifest, ResourceKey } from './resource.js';

/** One file of a repository revision. */
export interface SourceFile {
  /** Relative path, forward slashes. */
  readonly path: string;
  readonly content: string;
  /** Git blob sha of the content when read from Git: equal blobs have equal content (parse cache). */
  readonly blob?: string;
}

/** What the source stage hands on; nothing downstream touches git. */
export interface Snapshot {
  readonly revision: string;
  readonly author: string;
  /** Full commit message (trailers such as `Calico-GitOps-Allow-Delete: 3` live here). */
  readonly message: string;
  readonly files: readonly SourceFile[];
  /** Files that could not be read (too large, not UTF-8, …): errors make the revision invalid. */
  readonly issues?: Issues;
  /** `.calico-gitops/intents.yaml` at this revision, when the repository declares intents. */
  readonly intents?: SourceFile;
}

export interface DesiredState {
  readonly resources: ReadonlyMap<ResourceKey, DesiredResource>;
}

/** Bookkeeping annotations read back from a live object. */
export interface Bookkeeping {
  readonly owner?: string;
  readonly revision?: string;
  readonly source?: string;
  readonly specHash?: string;
}

/** The newest write recorded in an object's `metadata.managedFields`: who changed it, and when. */
export interface FieldWrite {
  /** Field manager (`kubectl-edit`, `calicoctl`, …). */
  readonly manager: string;
  /** `Update` or `Apply`. */
  readonly operation: string;
  /** RFC 3339 time of that manager's last write. */
  readonly time: string;
}

/** The object as the API server stores it (for Kubernetes Events about it). */
export interface StoredRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
}

/** A live object converted to the repository's v3 shape and normalized like the desired side. */
export interface LiveResource {
  readonly key: ResourceKey;
  readonly kindId: KindId;
  /** Normalized manifest, bookkeeping annotations removed. */
  readonly manifest: Manifest;
  /** Same hash function as DesiredResource.hash. */
  readonly hash: string;
  readonly bookkeeping: Bookkeeping;
  readonly resourceVersion?: string;
  readonly stored?: StoredRef;
  readonly lastWrite?: FieldWrite;
}

/** The read side of the live cache; the planner never sees the watch engine. */
export interface LiveView {
  isSynced(): boolean;
  get(key: ResourceKey): LiveResource | undefined;
  list(): Iterable<LiveResource>;
}

export const STEP_ACTIONS = ['create', 'update', 'delete'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export interface PlanStep {
  readonly action: StepAction;
  readonly key: ResourceKey;
  readonly kindId: KindId;
  /** Object to write (create/update), bookkeeping annotations included; for delete, the live object. */
  readonly manifest: Manifest;
  /** Live object before the change (update/delete). */
  readonly before?: Manifest;
  /** Desired content hash (create/update) or live hash (delete). */
  readonly hash: string;
  /** Live content hash before the change (update/delete), for the audit's before/after pair. */
  readonly beforeHash?: string;
}

export const SKIP_REASONS = ['not-owned', 'delete-budget', 'cache-unsynced'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedStep {
  readonly key: ResourceKey;
  readonly kindId: KindId;
  /** What would have happened without the reason. */
  readonly wanted: StepAction;
  readonly reason: SkipReason;
  /** A sentence a person can read. */
  readonly message: string;
}

export interface Plan {
  /** Stable: hash of revision and steps. */
  readonly id: string;
  readonly revision: string;
  /** Steps in execution order: creates and updates by apply rank, then deletes in reverse rank. */
  readonly steps: readonly PlanStep[];
  readonly skipped: readonly SkippedStep[];
  readonly unchanged: number;
  /** Set when the whole plan is held (delete budget, unsynced cache): nothing may run. */
  readonly held?: { readonly reason: SkipReason; readonly message: string };
}

export const STEP_OUTCOMES = ['ok', 'invalid', 'forbidden', 'conflict', 'retryable', 'not-run'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

export interface StepResult {
  readonly key: ResourceKey;
  readonly action: StepAction;
  readonly outcome: StepOutcome;
  readonly message: string;
}
