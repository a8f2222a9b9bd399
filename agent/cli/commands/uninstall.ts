// `calico-gitops uninstall [--yes] [--keep-agent]`: delete every Calico object this instance owns
// (through the executor, in reverse apply order), then the agent itself. Without --yes it only
// lists what it would delete (exit 0, nothing changed). Exit 1 when it stops half-way: it says
// what is left, and running it again finishes.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { pino } from 'pino';
import { uninstallPorts } from '../../app/uninstall-ports.js';
import { displayKey } from '../../domain/resource.js';
import { queuePrefix, redisKeys } from '../../queue/keys.js';
import { describeAgentObject } from '../../uninstall/agent-objects.js';
import { runUninstall } from '../../uninstall/run-uninstall.js';
import { addConfigFlags, configFlags } from '../config-flags.js';
import { processStreams, withRedis, type CliStreams } from '../with-redis.js';

export function registerUninstall(program: Command, io: CliStreams = processStreams): void {
  addConfigFlags(
    program
      .command('uninstall')
      .description('delete every Calico object this instance owns, then the agent itself (without --yes: only list them)')
      .option('--yes', 'delete for real (without it nothing changes)')
      .option('--keep-agent', 'keep the agent, its RBAC and its Redis keys (sync stays paused)')
      .option('--sync-timeout <seconds>', 'how long to wait for the live view of the cluster', '60')
      .option('--agent-stop-timeout <seconds>', "how long the agent's processes may take to stop (disconnect from Redis) before its Redis keys are deleted", '60'),
    ['redis', 'cluster', 'instance', 'kubeconfig', 'context', 'calicoVersion', 'namespace', 'executor', 'executorServiceAccount', 'calicoctlImage', 'podTimeout', 'verifyTimeout', 'logLevel'],
  ).action(async (options: Record<string, unknown>) => {
    const seconds = Number(options['syncTimeout'] ?? '60');
    const stopSeconds = Number(options['agentStopTimeout'] ?? '60');
    for (const [flag, value] of [['--sync-timeout', seconds], ['--agent-stop-timeout', stopSeconds]] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        io.stderr.write(`calico-gitops uninstall: ${flag} must be a positive number of seconds\n`);
        process.exitCode = 1;
        return;
      }
    }
    const yes = options['yes'] === true;
    const keepAgent = options['keepAgent'] === true;
    process.exitCode = await withRedis(
      configFlags(options),
      async (redis, config) => {
        const say = (line: string): void => void io.stdout.write(`${line}\n`);
        // Logs go to stderr at warn unless asked: stdout is the operator's report.
        const logger = pino({ level: options['logLevel'] ? config.logLevel : 'warn' }, pino.destination(2));
        let wiring: Awaited<ReturnType<typeof uninstallPorts>> | undefined;
        try {
          wiring = await uninstallPorts({ config, redis, logger, say });
          const outcome = await runUninstall(wiring.ports, {
            instance: config.instance,
            cluster: config.cluster,
            yes,
            keepAgent,
            syncTimeoutMs: seconds * 1000,
            agentStopTimeoutMs: stopSeconds * 1000,
            verifyTimeoutMs: config.verifyTimeout,
            jobId: `uninstall-${config.cluster}-${randomBytes(4).toString('hex')}`,
          });
          switch (outcome.kind) {
            case 'listed': {
              say(`calico-gitops uninstall (instance ${config.instance}, cluster ${config.cluster}): nothing changed; with --yes it would delete:`);
              say(`${outcome.owned.length} owned object${outcome.owned.length === 1 ? '' : 's'}, in this order:`);
              for (const s of outcome.owned) say(`  - ${displayKey(s.key)}`);
              if (!keepAgent) {
                say(`then ${outcome.agent.length} agent object${outcome.agent.length === 1 ? '' : 's'}, leftover executor pods and the cluster's Redis keys:`);
                for (const ref of outcome.agent) say(`  - ${describeAgentObject(ref)}`);
              }
              say('run again with --yes to delete them');
              return 0;
            }
            case 'done': {
              const agent = keepAgent
                ? `agent kept; sync stays paused (delete Redis key ${redisKeys.syncPaused(queuePrefix(config.cluster))} to resume)`
                : `${outcome.agentRemoved} agent object${outcome.agentRemoved === 1 ? '' : 's'} removed, ${outcome.redisKeys} Redis key${outcome.redisKeys === 1 ? '' : 's'} deleted`;
              say(`uninstalled: ${outcome.deleted} owned object${outcome.deleted === 1 ? '' : 's'} deleted; ${agent}`);
              return 0;
            }
            case 'incomplete': {
              io.stderr.write(`calico-gitops uninstall: ${outcome.reason}\n`);
              if (outcome.left.length > 0) io.stderr.write(`left (${outcome.left.length}):\n${outcome.left.map((l) => `  - ${l}\n`).join('')}`);
              io.stderr.write(`sync stays paused; run calico-gitops uninstall --yes again to finish\n`);
              return 1;
            }
          }
        } catch (err) {
          io.stderr.write(`calico-gitops uninstall: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
          if (yes) io.stderr.write(`run calico-gitops uninstall --yes again to finish\n`);
          return 1;
        } finally {
          await wiring?.close();
        }
      },
      io,
    );
  });
}
