// Applies one plan straight through the API where the cluster serves projectcalico.org/v3 (the
// Calico API server, or Calico's native v3 CRDs), with no pod: Calico kinds through
// projectcalico.org/v3, Kubernetes NetworkPolicies through networking.k8s.io/v1, one resource at a
// time in the calicoctl executor's order, stopping at the first failure as its pod does. Results
// have the same shape and outcomes, so verification, audit and statuses do not know which ran.
// calicoctl's apply semantics: create, or replace the version read (409: read again and retry);
// a delete removes only the version it read, and only an object this instance owns.
import { ExecutorError, KubeError } from '../domain/errors.js';
import { KINDS } from '../domain/kinds.js';
import { ownerOf } from '../domain/ownership.js';
import type { Logger } from '../domain/runtime.js';
import type { PlanStep, StepOutcome, StepResult } from '../domain/state.js';
import { toKubeError } from '../kube/errors.js';
import type { ApiObjectRef, ApiObjects, StoredObject } from './api-objects.js';
import { batchesFor } from './batches.js';
import type { ExecuteInput } from './calicoctl-executor.js';

export interface ApiExecutorOptions {
  /** Requests as the executor identity (see `impersonating`). */
  readonly api: ApiObjects;
  /** The owner annotation value of this agent (config `instance`): only such objects are deleted or overwritten. */
  readonly instance: string;
  readonly logger: Logger;
  /** Reads and writes of one resource before a run of 409s is reported as a conflict. */
  readonly maxAttempts?: number;
}

const CALICO_V3 = { group: 'projectcalico.org', version: 'v3' } as const;
const MAX_MESSAGE = 300;

export function apiRefFor(step: PlanStep): ApiObjectRef {
  const info = KINDS[step.kindId];
  const [group = '', version = ''] = info.appliedByKubectl ? info.apiVersion.split('/') : [CALICO_V3.group, CALICO_V3.version];
  const { name, namespace } = step.manifest.metadata;
  return { group, version, plural: info.plural, name, ...(info.scope === 'Namespaced' && namespace ? { namespace } : {}) };
}

/** The same outcome names the calicoctl path derives from calicoctl's and kubectl's text. */
export function outcomeFor(err: KubeError): Exclude<StepOutcome, 'ok' | 'not-run'> {
  if (err.status === 401 || err.status === 403) return 'forbidden';
  if (err.status === 409) return 'conflict';
  if (err.status === 400 || err.status === 405 || err.status === 422) return 'invalid';
  return 'retryable';
}

type Done = { readonly outcome: StepOutcome; readonly message: string };

export class ApiExecutor {
  private readonly maxAttempts: number;

  constructor(private readonly options: ApiExecutorOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  async execute(input: ExecuteInput): Promise<StepResult[]> {
    const log = this.options.logger.child({ jobId: input.jobId });
    const ordered = batchesFor(input.steps).flatMap((b) => b.steps);
    const started = Date.now();
    const results: StepResult[] = [];
    let stopped = false;
    for (const step of ordered) {
      if (input.signal?.aborted) throw new ExecutorError('the job was cancelled while it applied', { code: 'aborted' });
      const done: Done = stopped ? { outcome: 'not-run', message: 'not run: an earlier step failed' } : await this.run(step).catch((err: unknown) => failure(err));
      if (done.outcome !== 'ok' && done.outcome !== 'not-run') stopped = true;
      results.push({ key: step.key, action: step.action, outcome: done.outcome, message: done.message });
    }
    const counts: Record<string, number> = {};
    for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    log.info({ steps: ordered.length, ms: Date.now() - started, ...counts }, 'applied through the API');
    return results;
  }

  private run(step: PlanStep): Promise<Done> {
    return step.action === 'delete' ? this.remove(step) : this.apply(step);
  }

  private async apply(step: PlanStep): Promise<Done> {
    const ref = apiRefFor(step);
    const body = { ...step.manifest, metadata: writtenMeta(step.manifest.metadata) };
    if (step.action === 'create') {
      const created = await this.ignoring(409, () => this.options.api.create(ref, body));
      if (created) return { outcome: 'ok', message: 'created' };
    }
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const live = await this.options.api.get(ref);
      if (!live) {
        if (await this.ignoring(409, () => this.options.api.create(ref, body))) return { outcome: 'ok', message: 'created' };
        continue;
      }
      const refused = overwriteRefusal(step, live, this.options.instance);
      if (refused) return { outcome: 'conflict', message: refused };
      const replaced = await this.ignoring(409, () => this.options.api.replace(ref, { ...body, metadata: { ...body.metadata, resourceVersion: live.resourceVersion } }));
      if (replaced) return { outcome: 'ok', message: 'configured' };
    }
    return { outcome: 'conflict', message: short(`${what(ref)} kept changing while it was applied (${this.maxAttempts} conflicts in a row); the next attempt reads it again`) };
  }

  private async remove(step: PlanStep): Promise<Done> {
    const ref = apiRefFor(step);
    const ours = this.options.instance;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const live = await this.options.api.get(ref);
      if (!live) return { outcome: 'ok', message: 'deleted (already absent)' };
      const owner = ownerOf(live.annotations);
      // Never delete what we do not own, even if it changed hands after the plan.
      if (owner !== ours) return { outcome: 'conflict', message: short(`${what(ref)} is ${owner ? `owned by ${owner}` : 'not owned by calico-gitops'}: left alone`) };
      try {
        await this.options.api.remove(ref, { resourceVersion: live.resourceVersion, ...(live.uid ? { uid: live.uid } : {}) });
        return { outcome: 'ok', message: 'deleted' };
      } catch (err) {
        const e = toKubeError(err);
        if (e.status === 404) return { outcome: 'ok', message: 'deleted (already absent)' };
        if (e.status !== 409) throw e;
      }
    }
    return { outcome: 'conflict', message: short(`${what(ref)} kept changing while it was deleted (${this.maxAttempts} conflicts in a row)`) };
  }

  /** true when the call succeeded, false when it failed with `status`; anything else throws. */
  private async ignoring(status: number, call: () => Promise<void>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (err) {
      const e = toKubeError(err);
      if (e.status === status) return false;
      throw e;
    }
  }
}

/**
 * Why an existing object must not be overwritten: another instance owns it, or a create found an
 * object nobody owns (taking one over is an adoption only the plan decides, as an update).
 */
function overwriteRefusal(step: PlanStep, live: StoredObject, ours: string): string | undefined {
  const owner = ownerOf(live.annotations);
  if (owner === ours || (owner === undefined && step.action === 'update')) return undefined;
  return short(`${what(apiRefFor(step))} exists and is ${owner ? `owned by ${owner}` : 'not owned by calico-gitops'}: not overwritten`);
}

/** Only what the repository says: the name, namespace, labels and annotations (bookkeeping included). */
function writtenMeta(meta: PlanStep['manifest']['metadata']): Record<string, unknown> {
  return {
    name: meta.name,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    ...(meta.labels ? { labels: meta.labels } : {}),
    ...(meta.annotations ? { annotations: meta.annotations } : {}),
  };
}

function failure(err: unknown): Done {
  const e = err instanceof KubeError ? err : toKubeError(err);
  return { outcome: outcomeFor(e), message: short(e.message) };
}

function what(ref: ApiObjectRef): string {
  return `${ref.plural}.${ref.group} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function short(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
