// `npm run kube-sim -- --port P --kubeconfig OUT [--state FILE] [--plain-http] [--calico-version V]
// [--calico-api-server | --calico-native-v3]`: runs the simulated cluster (API server + pod runtime) alone, writes an
// admin kubeconfig, and saves the state file on SIGINT/SIGTERM when --state is given.
import { Command, InvalidArgumentError } from 'commander';
import { startCluster } from '../test/kube-sim/index.js';

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0 = random)');
  return n;
};

const program = new Command('kube-sim')
  .description('Kubernetes API simulator with Calico CRDs, RBAC and a pod runtime (tests and demo)')
  .option('--port <port>', 'port on 127.0.0.1 (0 = random)', port, 0)
  .requiredOption('--kubeconfig <file>', 'where to write the admin kubeconfig')
  .option('--state <file>', 'load state from this file at start (if it exists) and save it on exit')
  .option('--plain-http', 'serve plain HTTP instead of HTTPS (client-node only: the real kubectl sends no token over http)', false)
  .option('--calico-version <version>', 'Calico version held by ClusterInformation default (default v3.31.2, or the state file\'s)')
  .option('--calico-api-server', 'also serve projectcalico.org/v3 like the Calico API server', false)
  .option('--calico-native-v3', 'native projectcalico.org/v3 CRDs instead of crd.projectcalico.org (Calico v3.32+)', false)
  .showHelpAfterError();

program.parse(process.argv);
const o = program.opts<{ port: number; kubeconfig: string; state?: string; plainHttp: boolean; calicoVersion?: string; calicoApiServer: boolean; calicoNativeV3: boolean }>();

const sim = await startCluster({
  port: o.port,
  tls: !o.plainHttp,
  ...(o.calicoVersion ? { calicoVersion: o.calicoVersion } : {}),
  ...(o.calicoApiServer ? { calicoApiServer: true } : {}),
  ...(o.calicoNativeV3 ? { calicoNativeV3: true } : {}),
  ...(o.state ? { stateFile: o.state } : {}),
});
await sim.writeKubeconfig(o.kubeconfig);
process.stdout.write(`kube-sim listening on ${sim.url} (Calico ${sim.calicoVersion}); kubeconfig: ${o.kubeconfig}\n`);

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  if (o.state) {
    await sim.saveState(o.state);
    process.stdout.write(`kube-sim: state saved to ${o.state}\n`);
  }
  await sim.close();
  process.stdout.write(`kube-sim: stopped (${signal})\n`);
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
