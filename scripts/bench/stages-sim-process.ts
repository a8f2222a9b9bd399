// Starts scripts/bench/stages-sim-host.ts and speaks to its simulator the way an operator would:
// kubectl with the admin kubeconfig, fault rules (the bench's write counters) over /_sim/faults.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FaultRule } from '../../test/kube-sim/index.js';
import { startTsxChild } from './stages-child.js';

const exec = promisify(execFile);
const START_TIMEOUT_MS = 60_000;

export interface AgentKubeconfigs {
  /** The controller's identity from deploy/. */
  readonly controllerKubeconfig: string;
  /** The worker's identity from deploy/. */
  readonly workerKubeconfig: string;
  /** A test-only account bound to both roles, for one process running both. */
  readonly agentKubeconfig: string;
}

export interface SimProcess extends AgentKubeconfigs {
  readonly calicoVersion: string;
  kubectl(args: readonly string[]): Promise<string>;
  setFaults(rules: readonly FaultRule[]): Promise<void>;
  clearFaults(): Promise<void>;
  stop(): Promise<void>;
}

interface Ready extends AgentKubeconfigs {
  readonly simReady: true;
  readonly calicoVersion: string;
  readonly adminKubeconfig: string;
}

export async function startSimProcess(): Promise<SimProcess> {
  let ready: Ready | undefined;
  const child = startTsxChild({
    name: 'kube-sim',
    entry: ['scripts', 'bench', 'stages-sim-host.ts'],
    args: [],
    onLine: (line) => {
      if (line.startsWith('{"simReady"')) ready = JSON.parse(line) as Ready;
    },
  });
  try {
    for (const deadline = Date.now() + START_TIMEOUT_MS; !ready; await new Promise((r) => setTimeout(r, 50))) {
      const problem = child.problem();
      if (problem) throw new Error(problem);
      if (Date.now() > deadline) throw new Error('kube-sim did not start in time');
    }
  } catch (err) {
    await child.stop();
    throw err;
  }
  const admin = ready.adminKubeconfig;
  const kubectl = async (args: readonly string[]): Promise<string> =>
    (await exec('kubectl', ['--kubeconfig', admin, ...args], { env: { ...process.env, KUBECONFIG: admin } })).stdout;
  const dir = await mkdtemp(join(tmpdir(), 'cg-bench-faults-'));
  return {
    calicoVersion: ready.calicoVersion,
    controllerKubeconfig: ready.controllerKubeconfig,
    workerKubeconfig: ready.workerKubeconfig,
    agentKubeconfig: ready.agentKubeconfig,
    kubectl,
    setFaults: async (rules) => {
      const file = join(dir, 'rules.json');
      await writeFile(file, JSON.stringify({ rules }));
      await kubectl(['create', '--raw', '/_sim/faults', '-f', file]);
    },
    clearFaults: async () => void (await kubectl(['delete', '--raw', '/_sim/faults'])),
    stop: () => child.stop(),
  };
}
