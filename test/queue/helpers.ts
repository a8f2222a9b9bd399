// Real Redis, one random cluster name (hence key prefix) per test, removed afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { AuditSink, ExecutorPort, VerifyPort } from '../../agent/apply/index.js';
import { contentHash, resourceKey, type JobState, type Logger, type Plan, type PlanStep, type StepResult } from '../../agent/domain/index.js';
import { queuePrefix, type SyncQueue } from '../../agent/queue/index.js';
import type { AuditEntry } from '../../agent/report/audit-log.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export function randomCluster(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export async function deleteKeys(cluster: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix(cluster)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly obj: Record<string, unknown>;
}

export function captureLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): Logger & { lines: LogLine[] } {
  const at = (level: string) => (objOrMsg: object | string, msg?: string) => {
    if (typeof objOrMsg === 'string') lines.push({ level, msg: objOrMsg, obj: { ...bindings } });
    else lines.push({ level, msg: msg ?? '', obj: { ...bindings, ...(objOrMsg as Record<string, unknown>) } });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b) => captureLogger(lines, { ...bindings, ...b }),
  };
}

export function planFor(revision: string, names: string[] = ['a']): Plan {
  const steps: PlanStep[] = names.map((name) => {
    const manifest = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { selector: 'all()' } };
    return { action: 'create', kindId: 'GlobalNetworkPolicy', key: resourceKey('GlobalNetworkPolicy', undefined, name), manifest, hash: contentHash(manifest.spec) };
  });
  return { id: contentHash({ revision, names }, 12), revision, steps, skipped: [], unchanged: 0 };
}

/** Records the audit entries of the pipeline and answers its verify calls. */
export class Recorder implements AuditSink, VerifyPort {
  readonly audit: AuditEntry[] = [];
  verifyOk = true;
  async append(entries: readonly AuditEntry[]): Promise<void> {
    this.audit.push(...entries);
  }
  async verify(): Promise<{ ok: boolean; differing: { key: ReturnType<typeof resourceKey>; message: string }[] }> {
    return this.verifyOk ? { ok: true, differing: [] } : { ok: false, differing: [{ key: resourceKey('GlobalNetworkPolicy', undefined, 'a'), message: 'absent' }] };
  }
}

/** Polls the queue until the job has ended (settled with a result, or failed), and returns its state. */
export async function ended(queue: SyncQueue, jobId: string, timeout = 15_000): Promise<Extract<JobState, { state: 'settled' | 'failed' }>> {
  await expect.poll(async () => (await queue.job(jobId))?.state, { timeout, interval: 50 }).toMatch(/^(settled|failed)$/);
  const last: JobState | undefined = await queue.job(jobId);
  if (last?.state === 'settled' || last?.state === 'failed') return last;
  throw new Error(`job ${jobId} did not end`);
}

/** The result of a job that settled (fails the test when it did not). */
export async function resultOf(queue: SyncQueue, jobId: string, timeout?: number) {
  const state = await ended(queue, jobId, timeout);
  if (state.state !== 'settled') throw new Error(`job ${jobId} failed without a result: ${state.reason}`);
  return state.result;
}

/** An executor whose behaviour per call is scripted; records calls and overlap. */
export class ScriptedExecutor implements ExecutorPort {
  calls: { jobId: string; steps: number }[] = [];
  running = 0;
  maxRunning = 0;
  constructor(private readonly script: (call: number, steps: readonly PlanStep[]) => Promise<readonly StepResult[]>, private readonly holdMs = 0) {}
  async execute(input: { steps: readonly PlanStep[]; jobId: string }): Promise<readonly StepResult[]> {
    this.calls.push({ jobId: input.jobId, steps: input.steps.length });
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.holdMs > 0) await new Promise((r) => setTimeout(r, this.holdMs));
      return await this.script(this.calls.length, input.steps);
    } finally {
      this.running -= 1;
    }
  }
}

export const okResults = (steps: readonly PlanStep[]): StepResult[] => steps.map((s) => ({ key: s.key, action: s.action, outcome: 'ok', message: 'applied' }));
