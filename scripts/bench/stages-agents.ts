// The two topologies the stages bench runs, each a real agent against the simulator:
//   deployed    the controller (`agent --workers 0`) and one `calico-gitops worker` process, each
//               with its own identity from deploy/, as the Deployments in deploy/ run them
//   oneProcess  one `agent` with an in-process worker (`--workers 1`), one account with both roles
// The controller runs in the bench process either way (its debug lines are kept in memory); the
// simulator runs in a process of its own (stages-sim-process.ts).
import { pino } from 'pino';
import { startAgentProcess } from '../../agent/app/agent-process.js';
import { parseConfig, type Config } from '../../agent/config/config.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { GIT_TEST_ENV } from '../../test/support/git-fixtures.js';
import type { LogLine } from './stages-figures.js';
import type { Child } from './stages-child.js';
import type { AgentKubeconfigs } from './stages-sim-process.js';
import { startWorkerProcess } from './stages-worker-process.js';

export const TOPOLOGIES = ['deployed', 'oneProcess'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export interface StagesAgentOptions {
  readonly topology: Topology;
  readonly kubeconfigs: AgentKubeconfigs;
  readonly repo: string;
  readonly cluster: string;
  readonly webhookSecretFile: string;
  readonly cacheDir: string;
  readonly onLine: (line: LogLine) => void;
}

export interface StagesAgent {
  readonly url: string;
  readonly config: Config;
  /** Why the agent cannot finish a sync (its worker process is gone); undefined while all runs. */
  problem(): string | undefined;
  stop(): Promise<void>;
}

export async function startStagesAgent(o: StagesAgentOptions): Promise<StagesAgent> {
  const deployed = o.topology === 'deployed';
  const kubeconfig = deployed ? o.kubeconfigs.controllerKubeconfig : o.kubeconfigs.agentKubeconfig;
  const parsed = parseConfig({
    flags: {
      repo: o.repo,
      path: 'policies',
      cluster: o.cluster,
      kubeconfig,
      webhookSecretFile: o.webhookSecretFile,
      pollInterval: '1h',
      listen: '127.0.0.1:0',
      workers: deployed ? '0' : '1',
      logLevel: 'debug',
    },
    env: {},
  });
  if (!parsed.ok) throw new Error(parsed.issues.map((p) => p.message).join('; '));
  const config = parsed.config;
  const logger = pino({ level: 'debug' }, { write: (line: string) => o.onLine({ ...(JSON.parse(line) as LogLine), source: 'controller' }) });
  // The worker first: when the controller's first job is enqueued, something is there to take it.
  const worker: Child | undefined = deployed
    ? startWorkerProcess({
        flags: {
          redis: config.redis,
          cluster: o.cluster,
          kubeconfig: o.kubeconfigs.workerKubeconfig,
          listen: '127.0.0.1:0',
          workers: '1',
          'log-level': 'debug',
        },
        onLine: o.onLine,
      })
    : undefined;
  try {
    const agent = await startAgentProcess({
      config,
      logger,
      clock: systemClock,
      controller: true,
      workers: config.workers,
      cacheDir: o.cacheDir,
      baseEnv: process.env,
      gitEnv: GIT_TEST_ENV,
      fetch: (url, init) => fetch(url, init),
      random: Math.random,
      http: true,
      lease: { durationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
    });
    return {
      url: agent.url ?? '',
      config,
      problem: () => worker?.problem(),
      stop: async () => {
        // Both, whatever the first does: nothing is left running.
        const stopped = await Promise.allSettled([agent.stop(), worker?.stop()]);
        const failed = stopped.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
      },
    };
  } catch (err) {
    await worker?.stop();
    throw err;
  }
}
