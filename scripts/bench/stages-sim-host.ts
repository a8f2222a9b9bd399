// Child entry of the stages bench: the Kubernetes simulator (API server and kubelet) with the
// agent's RBAC from deploy/, in a process of its own as a real API server is, so neither its
// event loop nor its memory is the controller's (a git spawn forks the whole controller process).
// Prints one JSON line (kubeconfigs, Calico version), then serves until SIGTERM.
import { startCluster } from '../../test/kube-sim/index.js';
import { installAgentRbac } from '../../test/support/install-agent.js';

const sim = await startCluster({ tls: true });
const installed = await installAgentRbac(sim);
process.stdout.write(
  `${JSON.stringify({
    simReady: true,
    calicoVersion: sim.calicoVersion,
    adminKubeconfig: installed.adminKubeconfig,
    controllerKubeconfig: installed.controllerKubeconfig,
    workerKubeconfig: installed.workerKubeconfig,
    agentKubeconfig: installed.agentKubeconfig,
  })}\n`,
);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void sim.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
