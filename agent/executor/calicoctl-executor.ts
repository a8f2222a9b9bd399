// Runs one plan as one calicoctl pod (DESIGN.md "Executor: the calicoctl pod"): ConfigMaps with
// the manifests, a Pod with one init container per part, wait, read logs, map results, and
// always delete the Pod and ConfigMaps afterwards. Safe to run twice: names come from the job id,
// apply and replace are idempotent and deletes skip what is already gone.
import type { V1ConfigMap, V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import { ExecutorError, KubeError } from '../domain/errors.js';
import type { Logger } from '../domain/runtime.js';
import type { PlanStep, StepResult } from '../domain/state.js';
import { batchesFor } from './batches.js';
import { DEFAULT_KUBECTL_IMAGE } from './images.js';
import type { KubeOps } from './kube-ops.js';
import { buildExecutorObjects, containerNameFor, MANAGED_BY, MANAGED_BY_LABEL } from './pod.js';
import { renderBatches } from './render.js';
import { mapResults } from './results.js';

export interface CalicoctlExecutorOptions {
  readonly kube: KubeOps;
  /** Namespace of executor pods and ConfigMaps (config `namespace`). */
  readonly namespace: string;
  /** Identity of the pods (config `executorServiceAccount`). */
  readonly serviceAccount: string;
  /** Resolved with `calicoctlImageFor` from the cluster's version or config `calicoctlImage`. */
  readonly calicoctlImage: string;
  readonly kubectlImage?: string;
  /** Pod deadline (config `podTimeout`, in ms); the wait gives up a little after it. */
  readonly podTimeoutMs: number;
  readonly maxConfigMapBytes?: number;
  readonly resources?: V1ResourceRequirements;
  readonly logger: Logger;
}

export interface ExecuteInput {
  readonly steps: readonly PlanStep[];
  readonly jobId: string;
  readonly signal?: AbortSignal;
}

/** Extra wait past the pod deadline for the kubelet to report the kill. */
const DEADLINE_SLACK_MS = 15_000;

export class CalicoctlExecutor {
  private readonly kubectlImage: string;

  constructor(private readonly options: CalicoctlExecutorOptions) {
    this.kubectlImage = options.kubectlImage ?? DEFAULT_KUBECTL_IMAGE;
  }

  /**
   * Per-resource results. Throws an ExecutorError only for failures of the pod as a whole that
   * no retry fixes (version mismatch) or that left no results at all (could not create the pod).
   */
  async execute(input: ExecuteInput): Promise<StepResult[]> {
    if (input.steps.length === 0) return [];
    const o = this.options;
    const log = o.logger.child({ jobId: input.jobId });
    const rendered = renderBatches({ batches: batchesFor(input.steps), ...(o.maxConfigMapBytes ? { maxConfigMapBytes: o.maxConfigMapBytes } : {}) });
    if (rendered.problems.length > 0) {
      // Applying around a resource that cannot be sent could break the dependency order: send nothing.
      const bad = new Map(rendered.problems.map((p) => [p.key, p.message]));
      return input.steps.map((s) => ({
        key: s.key,
        action: s.action,
        outcome: bad.has(s.key) ? 'invalid' : 'not-run',
        message: bad.get(s.key) ?? 'not run: another resource of the plan is too large to send',
      }));
    }
    const deadlineSeconds = Math.max(1, Math.ceil(o.podTimeoutMs / 1000));
    const objects = buildExecutorObjects({
      jobId: input.jobId,
      namespace: o.namespace,
      serviceAccount: o.serviceAccount,
      calicoctlImage: o.calicoctlImage,
      kubectlImage: this.kubectlImage,
      parts: rendered.parts,
      configMaps: rendered.configMaps,
      deadlineSeconds,
      ...(o.resources ? { resources: o.resources } : {}),
    });
    const podRef = { namespace: o.namespace, name: objects.pod.metadata?.name ?? '' };
    const started = Date.now();
    try {
      for (const cm of objects.configMaps) await this.createReplacing(cm, () => o.kube.createConfigMap(cm), log);
      await this.createReplacing(objects.pod, () => o.kube.createPod(objects.pod), log);
      log.info({ pod: podRef.name, containers: rendered.parts.length, configMaps: objects.configMaps.length, steps: input.steps.length }, 'executor pod started');

      let pod: V1Pod | undefined;
      try {
        pod = await o.kube.waitForPodDone({ ...podRef, timeoutMs: deadlineSeconds * 1000 + DEADLINE_SLACK_MS, ...(input.signal ? { signal: input.signal } : {}) });
      } catch (err) {
        if (err instanceof ExecutorError && err.code === 'aborted') throw err;
        if (!(err instanceof ExecutorError && err.code === 'pod-timeout')) throw err;
        log.warn({ pod: podRef.name }, 'executor pod did not report completion in time');
      }
      const logs: Record<string, string> = {};
      for (const part of rendered.parts) {
        const name = containerNameFor(part);
        const status = pod?.status?.initContainerStatuses?.find((s) => s.name === name);
        if (status?.state?.terminated) logs[name] = await o.kube.readLogs({ ...podRef, container: name });
      }
      const mapped = mapResults({
        parts: rendered.parts,
        podStatus: pod?.status ?? { reason: 'DeadlineExceeded' },
        logs,
        calicoctlImage: o.calicoctlImage,
      });
      const summary = countOutcomes(mapped.results);
      log.info({ pod: podRef.name, phase: pod?.status?.phase, ms: Date.now() - started, ...summary }, 'executor pod finished');
      if (mapped.failure?.disposition === 'stalled') throw mapped.failure;
      if (mapped.failure) {
        const reason = pod?.status?.reason ? ` (${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''})` : '';
        log.warn({ code: mapped.failure.code }, `${mapped.failure.message}${reason}`);
      }
      return [...mapped.results];
    } finally {
      await this.cleanup(podRef, objects.configMaps, log);
    }
  }

  /**
   * Removes executor Pods and ConfigMaps older than `olderThanMs` (default: the pod deadline plus
   * slack, past which no live job can still use them) that a crashed worker left behind and that
   * no retry of their job will clean (a superseded job is never retried). Returns what it removed.
   */
  async sweep(input: { readonly now: Date; readonly olderThanMs?: number }): Promise<string[]> {
    const o = this.options;
    const cutoff = input.now.getTime() - (input.olderThanMs ?? o.podTimeoutMs + 2 * DEADLINE_SLACK_MS);
    const listed = await o.kube.listObjects({ namespace: o.namespace, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
    const old = (x: { createdAt?: Date }) => x.createdAt !== undefined && x.createdAt.getTime() <= cutoff;
    const removed: string[] = [];
    for (const pod of listed.pods.filter(old)) {
      await o.kube.deletePod({ namespace: o.namespace, name: pod.name, waitMs: 0 }).catch(() => undefined);
      removed.push(`pod/${pod.name}`);
    }
    for (const cm of listed.configMaps.filter(old)) {
      await o.kube.deleteConfigMap({ namespace: o.namespace, name: cm.name });
      removed.push(`configmap/${cm.name}`);
    }
    if (removed.length > 0) o.logger.info({ removed }, 'removed executor objects left by an earlier worker');
    return removed;
  }

  /** A 409 means an earlier run of the same job left its object behind: remove it and create once more. */
  private async createReplacing(obj: V1Pod | V1ConfigMap, create: () => Promise<void>, log: Logger): Promise<void> {
    try {
      await create();
    } catch (err) {
      if (!(err instanceof KubeError && err.status === 409)) throw wrap(err, `creating ${obj.kind} ${obj.metadata?.name ?? ''}`);
      const ref = { namespace: obj.metadata?.namespace ?? this.options.namespace, name: obj.metadata?.name ?? '' };
      log.warn({ kind: obj.kind, name: ref.name }, 'left over from an earlier run of this job: replacing it');
      if (obj.kind === 'Pod') await this.options.kube.deletePod(ref);
      else await this.options.kube.deleteConfigMap(ref);
      await create().catch((e: unknown) => {
        throw wrap(e, `creating ${obj.kind} ${ref.name} again`);
      });
    }
  }

  private async cleanup(podRef: { namespace: string; name: string }, configMaps: readonly V1ConfigMap[], log: Logger): Promise<void> {
    const tasks = [
      // Not waited for: it is done, deleted with no grace period, and a retry of the job replaces it by name.
      this.options.kube.deletePod({ ...podRef, waitMs: 0 }),
      ...configMaps.map((cm) => this.options.kube.deleteConfigMap({ namespace: podRef.namespace, name: cm.metadata?.name ?? '' })),
    ];
    const outcomes = await Promise.allSettled(tasks);
    for (const o of outcomes) {
      if (o.status === 'rejected') {
        const reason: unknown = o.reason;
        // The next run of the job deletes them by name; say so rather than fail the job.
        log.warn({ err: reason instanceof Error ? { name: reason.name, message: reason.message } : String(reason) }, 'could not remove an executor object');
      }
    }
  }
}

function wrap(err: unknown, what: string): Error {
  if (err instanceof KubeError) return err;
  return new ExecutorError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { code: 'pod-create', cause: err });
}

function countOutcomes(results: readonly StepResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}
