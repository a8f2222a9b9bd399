// Maps the executor pod's container states and logs to one StepResult per resource. Pure.
import type { V1ContainerStatus, V1PodStatus } from '@kubernetes/client-node';
import { ExecutorError } from '../domain/errors.js';
import type { PlanStep, StepOutcome, StepResult } from '../domain/state.js';
import { classifyError, detectVersionMismatch, errorLine } from './classify.js';
import { containerNameFor } from './pod.js';
import type { RenderedPart } from './render.js';

export interface MapResultsInput {
  readonly parts: readonly RenderedPart[];
  readonly podStatus: V1PodStatus | undefined;
  /** Container name → its log (missing when the container never ran). */
  readonly logs: Readonly<Record<string, string>>;
  /** The calicoctl image used, for the version-mismatch message. */
  readonly calicoctlImage?: string;
}

export interface MappedResults {
  readonly results: readonly StepResult[];
  /** The pod failed as a whole: version mismatch (stalled) or deadline / unexplained failure (transient). */
  readonly failure?: ExecutorError;
}

const result = (step: PlanStep, outcome: StepOutcome, message: string): StepResult => ({
  key: step.key,
  action: step.action,
  outcome,
  message,
});

export function mapResults(input: MapResultsInput): MappedResults {
  const statuses = new Map<string, V1ContainerStatus>();
  for (const s of input.podStatus?.initContainerStatuses ?? []) statuses.set(s.name, s);
  const deadline = input.podStatus?.reason === 'DeadlineExceeded';
  const results: StepResult[] = [];
  let failure: ExecutorError | undefined;
  let stopped = false;

  for (const part of input.parts) {
    const name = containerNameFor(part);
    const terminated = statuses.get(name)?.state?.terminated;
    const log = input.logs[name] ?? '';
    if (stopped) {
      results.push(...part.steps.map((s) => result(s, 'not-run', 'not run: an earlier step failed')));
      continue;
    }
    if (!terminated) {
      stopped = true;
      const podReason = input.podStatus?.reason ? ` (${input.podStatus.reason}${input.podStatus.message ? `: ${input.podStatus.message}` : ''})` : '';
      const why = deadline ? 'not run: the executor pod hit its deadline' : `not run: the executor pod stopped before this step${podReason}`;
      // The first part that never finished is what failed; later ones simply did not run.
      results.push(...part.steps.map((s) => result(s, 'retryable', why)));
      failure ??= new ExecutorError(deadline ? 'the executor pod hit its deadline (activeDeadlineSeconds)' : `the executor pod stopped early${podReason}`, {
        code: deadline ? 'deadline' : 'pod-failed',
      });
      continue;
    }
    if (terminated.exitCode === 0) {
      results.push(...okResults(part, log));
      continue;
    }
    stopped = true;
    if (deadline && (terminated.exitCode === 137 || !log.trim())) {
      results.push(...part.steps.map((s) => result(s, 'retryable', `${part.tool} ${part.verb} was killed at the executor pod's deadline`)));
      failure ??= new ExecutorError('the executor pod hit its deadline (activeDeadlineSeconds)', { code: 'deadline' });
      continue;
    }
    const mismatch = part.tool === 'calicoctl' ? detectVersionMismatch(log) : undefined;
    if (mismatch) {
      const message = versionMismatchMessage(mismatch, input.calicoctlImage);
      failure = new ExecutorError(message, { code: 'version-mismatch', disposition: 'stalled' });
      results.push(...part.steps.map((s) => result(s, 'not-run', message)));
      continue;
    }
    if (!log.trim()) {
      const reason = terminated.reason ?? `exit code ${terminated.exitCode}`;
      results.push(...part.steps.map((s) => result(s, 'retryable', `${part.tool} ${part.verb} failed without output (${reason})`)));
      continue;
    }
    results.push(...(part.tool === 'calicoctl' ? calicoctlFailure(part, log) : kubectlFailure(part, log)));
  }
  return failure ? { results, failure } : { results };
}

function okResults(part: RenderedPart, log: string): StepResult[] {
  const lines = part.tool === 'kubectl' ? kubectlLines(part.steps, log) : [];
  return part.steps.map((step, i) => result(step, 'ok', lines[i] ?? (part.verb === 'delete' ? 'deleted' : 'applied')));
}

/** `Partial success: applied the first n out of m resources:` then the error; otherwise the first failed. */
function calicoctlFailure(part: RenderedPart, log: string): StepResult[] {
  const partial = /partial success:\s*(?:applied|created|replaced|deleted)?\s*the first (\d+) out of (\d+)/i.exec(log);
  const okCount = partial ? Math.min(Number(partial[1]), part.steps.length) : 0;
  const line = errorLine(log);
  const outcome = classifyError(log.replace(/partial success[^\n]*/gi, ''));
  return part.steps.map((step, i) => {
    if (i < okCount) return result(step, 'ok', part.verb === 'delete' ? 'deleted' : 'applied');
    if (i === okCount) return result(step, outcome, line);
    return result(step, 'not-run', 'not run: an earlier resource in the same file failed');
  });
}

const KUBECTL_LINE = /^[a-z0-9.-]+\/([a-z0-9.-]+)\s+(created|configured|unchanged|deleted|serverside-applied)\b/i;

/**
 * kubectl prints `networkpolicy.networking.k8s.io/<name> created|configured|unchanged|deleted` per
 * document, in file order, without the namespace: match each step to the next line with its name.
 */
function kubectlLines(steps: readonly PlanStep[], log: string): (string | undefined)[] {
  const lines = log.split('\n').map((l) => KUBECTL_LINE.exec(l.trim())).filter((m) => m !== null);
  let cursor = 0;
  return steps.map((step) => {
    const at = lines.findIndex((m, i) => i >= cursor && m[1] === step.manifest.metadata.name);
    if (at < 0) return undefined;
    cursor = at + 1;
    return lines[at]?.[2]?.toLowerCase();
  });
}

/** kubectl carries on past a failed document; each is judged alone. */
function kubectlFailure(part: RenderedPart, log: string): StepResult[] {
  const done = kubectlLines(part.steps, log);
  const errors = log.split('\n').map((l) => l.trim()).filter((l) => /^error/i.test(l));
  return part.steps.map((step, i) => {
    const verb = done[i];
    if (verb) return result(step, 'ok', verb);
    const name = step.manifest.metadata.name;
    const own = errors.find((e) => e.includes(`"${name}"`) || e.includes(`/${name}`)) ?? errors[0] ?? errorLine(log);
    return result(step, classifyError(own), own.length > 300 ? `${own.slice(0, 299)}…` : own);
  });
}

function versionMismatchMessage(m: { client?: string; cluster?: string }, image: string | undefined): string {
  const client = m.client ?? (image ? `image ${image}` : 'unknown');
  const cluster = m.cluster ?? 'unknown';
  return `calicoctl version ${client} does not match the cluster's Calico version ${cluster}: use a calicoctl image tagged ${cluster} (leave --calicoctl-image unset to follow the cluster)`;
}
