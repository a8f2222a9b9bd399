// The simulated cluster everyone uses: the API server (server.ts) plus the node runtime (kubelet
// with the emulated calicoctl and kubectl images). `close()` stops both.
import { startKubelet } from './runtime/kubelet.js';
import type { KubeletOptions } from './runtime/kubelet.js';
import { startKubeSim } from './server.js';
import type { KubeSim, KubeSimOptions } from './server.js';

export * from './server.js';

export interface ClusterOptions extends KubeSimOptions {
  /** The real kubectl the kubectl image runs. Default /usr/bin/kubectl. */
  kubectlPath?: string;
  /** Runtime knobs (logger, image pull back-off, validator) passed to the kubelet. */
  kubelet?: Pick<KubeletOptions, 'logger' | 'clock' | 'validator' | 'calicoctlFailureMode' | 'imagePullFailAfterMs' | 'retryMs'>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<KubeSim> {
  const { kubectlPath, kubelet: kubeletOpts, ...simOpts } = opts;
  const sim = await startKubeSim(simOpts);
  let kubelet: ReturnType<typeof startKubelet>;
  try {
    kubelet = startKubelet({
      url: sim.url,
      adminToken: sim.adminToken,
      ...(sim.caCertPath ? { caCertPath: sim.caCertPath } : {}),
      sim,
      ...(kubectlPath ? { kubectlPath } : {}),
      ...kubeletOpts,
    });
  } catch (err) {
    await sim.close();
    throw err;
  }
  const close = async (): Promise<void> => {
    await kubelet.stop();
    await sim.close();
  };
  // Everything else is the server's own member, called on the server itself.
  return new Proxy(sim, {
    get(target, prop) {
      if (prop === 'close') return close;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
