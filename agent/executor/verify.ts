// Waits until the live watch shows what the executor wrote: created/updated objects with the
// step's hash, deleted ones absent. Driven by change notifications, with no polling.
import type { ResourceKey } from '../domain/resource.js';
import type { PlanStep } from '../domain/state.js';

/** What verify needs from the live cache (agent/live's LiveCache provides it). */
export interface LiveWatchPort {
  get(key: ResourceKey): { readonly hash: string } | undefined;
  /** Calls back after any change to the cache; returns the unsubscribe function. */
  onChange(callback: () => void): () => void;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly differing: readonly { readonly key: ResourceKey; readonly message: string }[];
}

/** Pure: which steps the live view does not show yet, and why. */
export function differences(steps: readonly PlanStep[], live: Pick<LiveWatchPort, 'get'>): VerifyResult['differing'] {
  const out: { key: ResourceKey; message: string }[] = [];
  for (const step of steps) {
    const seen = live.get(step.key);
    if (step.action === 'delete') {
      if (seen) out.push({ key: step.key, message: 'still present' });
    } else if (!seen) {
      out.push({ key: step.key, message: 'absent' });
    } else if (seen.hash !== step.hash) {
      out.push({ key: step.key, message: `live spec hash ${seen.hash}, expected ${step.hash}` });
    }
  }
  return out;
}

export function verify(input: {
  readonly steps: readonly PlanStep[];
  readonly live: LiveWatchPort;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}): Promise<VerifyResult> {
  return new Promise<VerifyResult>((resolve) => {
    let done = false;
    let timedOut = false;
    let unsubscribe: () => void = () => undefined;
    const finish = (): void => {
      if (done) return;
      const differing = differences(input.steps, input.live);
      if (differing.length > 0 && !timedOut && !input.signal?.aborted) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      input.signal?.removeEventListener('abort', onAbort);
      resolve({ ok: differing.length === 0, differing });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, input.timeoutMs);
    const onAbort = (): void => finish();
    input.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = input.live.onChange(finish);
    finish();
  });
}

/** The VerifyPort shape the queue's processors take. */
export function liveVerifier(live: LiveWatchPort): { verify(input: { steps: readonly PlanStep[]; timeoutMs: number; signal?: AbortSignal }): Promise<VerifyResult> } {
  return { verify: (input) => verify({ ...input, live }) };
}
