// The controller's periodic full resync, driven by a BullMQ job scheduler (`upsertResync` on the
// queue): one tick per period cluster-wide. Create the listener only while holding the Lease.
import { Worker } from 'bullmq';
import type { Logger } from '../domain/runtime.js';
import { bullmqConnection, type RedisConnection } from './connection.js';
import { queuePrefix, RESYNC_QUEUE_NAME } from './keys.js';

export interface ResyncListener {
  close(): Promise<void>;
}

export function createResyncListener(options: {
  readonly connection: RedisConnection;
  readonly cluster: string;
  readonly prefix?: string;
  readonly logger: Logger;
  /** Runs one controller cycle; throwing only logs, the next tick comes anyway. */
  readonly onTick: () => Promise<void>;
}): ResyncListener {
  const log = options.logger.child({ component: 'resync', cluster: options.cluster });
  const { connection, release } = bullmqConnection(options.connection, 'worker');
  const worker = new Worker(
    RESYNC_QUEUE_NAME,
    async () => {
      await options.onTick();
    },
    { connection, prefix: options.prefix ?? queuePrefix(options.cluster), concurrency: 1 },
  );
  worker.on('error', (err) => log.error({ err: { name: err.name, message: err.message } }, 'resync listener: Redis error'));
  worker.on('failed', (_job, err) => log.warn({ err: { name: err.name, message: err.message } }, 'resync tick failed'));
  return {
    close: async () => {
      await worker.close();
      release();
    },
  };
}
