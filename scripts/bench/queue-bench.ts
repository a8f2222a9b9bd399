// `npm run bench -- queue`: jobs per second through the real queue (Redis on 127.0.0.1:6379) with
// 1, 2 and 4 workers, for jobs that take 0 ms and 20 ms in the handler (a stand-in for the apply:
// the figure is the queue's own cost). The queue keeps one apply at a time across all workers
// (global concurrency 1), so more workers add standby capacity, not throughput.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createSyncQueue } from '../../agent/queue/sync-queue.js';
import { createWorker, type QueueWorker } from '../../agent/queue/worker.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const JOBS = 200;
const logger = pino({ level: 'silent' });

async function measure(workers: number, jobMs: number): Promise<number> {
  const cluster = `qbench${randomBytes(4).toString('hex')}`;
  const queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger });
  let done = 0;
  let finished: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const started: QueueWorker[] = [];
  try {
    for (let i = 0; i < JOBS; i++) {
      const revision = i.toString(16).padStart(40, '0');
      await queue.enqueueSync({ plan: { id: `p${i}`, revision, steps: [], skipped: [], unchanged: 0 }, revision, author: 'bench <b@example.test>' });
    }
    const t = performance.now();
    for (let w = 0; w < workers; w++) {
      started.push(
        await createWorker({
          connection: REDIS_URL,
          cluster,
          logger,
          concurrency: 1,
          handler: async () => {
            if (jobMs > 0) await new Promise((r) => setTimeout(r, jobMs));
            done += 1;
            if (done === JOBS) finished();
            return { result: { applied: 0, deleted: 0 } };
          },
        }),
      );
    }
    await allDone;
    return Math.round((JOBS / (performance.now() - t)) * 1000);
  } finally {
    await Promise.all(started.map((w) => w.close({ graceMs: 2_000 })));
    await queue.queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, Record<string, number>> = {};
  for (const jobMs of [0, 20]) {
    const row: Record<string, number> = {};
    for (const workers of [1, 2, 4]) row[`${workers} worker${workers > 1 ? 's' : ''}`] = await measure(workers, jobMs);
    out[`${jobMs} ms jobs (jobs/s)`] = row;
  }
  return { jobs: JOBS, globalConcurrency: 1, results: out };
}
