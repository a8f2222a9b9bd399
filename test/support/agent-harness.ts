// Shared plumbing of the end-to-end tests: a test configuration, an agent process with test
// timings, a free port, and polling for an outcome a user would see.
import { createServer } from 'node:net';
import { startAgentProcess, type AgentProcess, type AgentProcessOptions } from '../../agent/app/agent-process.js';
import { parseConfig, type Config } from '../../agent/config/config.js';
import { systemClock, type Logger } from '../../agent/domain/runtime.js';
import type { Cluster, Redis } from 'ioredis';
import { queuePrefix } from '../../agent/queue/keys.js';
import { GIT_TEST_ENV } from './git-fixtures.js';

/** Parses flags like the CLI does (with test defaults); throws listing every problem. */
export function testConfig(flags: Record<string, string>): Config {
  const parsed = parseConfig({
    flags: { listen: '127.0.0.1:0', workers: '1', verifyTimeout: '20s', logLevel: 'debug', ...flags },
    env: {},
  });
  if (!parsed.ok) throw new Error(parsed.issues.map((p) => p.message).join('; '));
  return parsed.config;
}

/** An agent process with test git isolation and a short Lease, so takeover tests stay quick. */
export function startTestAgent(o: {
  config: Config;
  logger: Logger;
  cacheDir: string;
  controller: boolean;
  workers: number;
  http: boolean;
  jobRetry?: AgentProcessOptions['jobRetry'];
}): Promise<AgentProcess> {
  const options: AgentProcessOptions = {
    ...o,
    clock: systemClock,
    baseEnv: process.env,
    gitEnv: GIT_TEST_ENV,
    fetch: (url, init) => fetch(url, init),
    random: Math.random,
    lease: { durationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
  };
  return startAgentProcess(options);
}

/** Polls until `fn` gives a value; errors count as "not yet" and the last one is shown on timeout. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, options: { timeoutMs?: number; context?: () => string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 40_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const last = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out waiting for ${what}${last}${options.context ? `\n${options.context()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Removes every Redis key of one cluster (its `{calico-gitops:<cluster>}` hash tag): a test's cleanup. */
export async function dropClusterKeys(redis: Redis | Cluster, cluster: string): Promise<void> {
  const keys = await redis.keys(`${queuePrefix(cluster)}*`);
  if (keys.length > 0) await redis.del(...keys);
}
