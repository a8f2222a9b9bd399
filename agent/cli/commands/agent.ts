// `calico-gitops agent` (controller + in-process workers) and `calico-gitops worker` (workers only).
// Both run until SIGTERM/SIGINT and then shut down gracefully: no job is lost, the Lease is released.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startAgentProcess } from '../../app/agent-process.js';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../config/logger.js';
import { redactText } from '../../domain/redact.js';
import { systemClock } from '../../domain/runtime.js';
import type { OptionName } from '../../config/options.js';
import { addConfigFlags, configFlags } from '../config-flags.js';

/**
 * What a worker uses: the queue, the cluster and the executor, its audit and its HTTP probes. The
 * controller's flags (repository, forge, webhooks, polling, drift, planning) would do nothing in a
 * worker, so they are not flags there and commander refuses them; their environment variables are
 * ignored, since one ConfigMap commonly feeds both Deployments.
 */
const WORKER_OPTIONS: readonly OptionName[] = [
  'redis', 'cluster', 'instance', 'kubeconfig', 'context', 'calicoVersion', 'namespace', 'executor', 'executorServiceAccount',
  'calicoctlImage', 'podTimeout', 'verifyTimeout', 'auditMaxEntries', 'listen', 'workers', 'logLevel',
];

export function registerAgent(program: Command): void {
  addConfigFlags(
    program
      .command('agent')
      .description('follow the repository, plan, enqueue (leader-elected), serve HTTP, and run --workers in-process workers')
      .option('--cache-dir <dir>', 'where the Git mirror lives', join(tmpdir(), 'calico-gitops')),
  ).action(async (options: Record<string, unknown>) => {
    process.exitCode = await run({ options, role: 'agent' });
  });
  addConfigFlags(
    program
      .command('worker')
      .description('take jobs from the queue and apply them through the executor (calicoctl pods, or --executor api)'),
    WORKER_OPTIONS,
  ).action(async (options: Record<string, unknown>) => {
    process.exitCode = await run({ options, role: 'worker' });
  });
}

async function run(input: { options: Record<string, unknown>; role: 'agent' | 'worker' }): Promise<number> {
  let config;
  try {
    config = loadConfig(configFlags(input.options), input.role === 'agent' ? ['repo'] : []);
  } catch (err) {
    process.stderr.write(`calico-gitops ${input.role}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const logger = createLogger({ level: config.logLevel });
  const cacheDir = input.role === 'agent' ? String(input.options['cacheDir']) : undefined;
  if (cacheDir) await mkdir(cacheDir, { recursive: true });
  let agent;
  try {
    agent = await startAgentProcess({
      config,
      logger,
      clock: systemClock,
      controller: input.role === 'agent',
      workers: input.role === 'agent' ? config.workers : Math.max(1, config.workers),
      ...(cacheDir ? { cacheDir } : {}),
      baseEnv: process.env,
      fetch: (url, init) => fetch(url, init),
      random: Math.random,
      // Both roles serve health, readiness and metrics (the worker no webhook): deploy/ probes them.
      http: true,
    });
  } catch (err) {
    logger.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'could not start');
    process.stderr.write(`calico-gitops ${input.role}: ${redactText(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await agent.stop();
  logger.info('stopped');
  return 0;
}
