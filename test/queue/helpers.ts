// Real Redis, one random cluster name (hence key prefix) per test, removed afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { contentHash, resourceKey, type Logger, type Plan, type PlanStep, type StepResult } from '../../agent/domain/index.js';
import type { ApplyReport, ApplyReporter, AuditEntry, AuditSink, ExecutorPort, VerifyPort } from '../../agent/queue/index.js';
import { queuePrefix } from '../../agent/queue/index.js';
import type { SerializedError } from '../../agent/domain/index.js';

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

/** Records what the processors reported. */
export class Recorder implements AuditSink, VerifyPort {
  readonly applied: ApplyReport[] = [];
  readonly failed: (ApplyReport & { error: SerializedError })[] = [];
  readonly audit: AuditEntry[] = [];
  verifyOk = true;
  async record(entries: readonly AuditEntry[]): Promise<void> {
    this.audit.push(...entries);
  }
  async verify(): Promise<{ ok: boolean; differing: { key: ReturnType<typeof resourceKey>; message: string }[] }> {
    return this.verifyOk ? { ok: true, differing: [] } : { ok: false, differing: [{ key: resourceKey('GlobalNetworkPolicy', undefined, 'a'), message: 'absent' }] };
  }
}

export function reporterOf(rec: Recorder): ApplyReporter {
  return {
    applied: async (r) => void rec.applied.push(r),
    failed: async (r) => void rec.failed.push(r),
  };
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
