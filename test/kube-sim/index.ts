// The simulated cluster everyone uses: the API server (server.ts) plus one node's runtime (the
// kubelet in runtime/, running the emulated calicoctl and kubectl images). `close()` stops both.
//
// What the node does, in short (details in runtime/pod-worker.ts and calico/calicoctl.ts):
// - Every new Pending pod (all namespaces) is bound to `sim-node-1`, waits for its ServiceAccount
//   and ConfigMap volumes (Pending, containers waiting in ContainerCreating with the reason as the
//   message), then runs init containers one by one and the containers one by one, and ends
//   Succeeded (every container exited 0) or Failed, with terminated states, Events and logs.
// - restartPolicy is not honoured beyond Never: nothing is ever restarted.
// - activeDeadlineSeconds counts from the pod's start: Failed / DeadlineExceeded, running
//   containers killed (exit 137).
// - Images: `quay.io/calico/ctl` / `calico/ctl` (tag = calicoctl version, up to v3.32), from v3.33
//   `quay.io/calico/calico` (calicoctl only as command `/usr/bin/calicoctl`), and
//   `registry.k8s.io/kubectl` / `bitnami/kubectl` (the real kubectl binary). Anything else waits
//   in ErrImagePull, then ImagePullBackOff, and the pod fails (reason ImagePullBackOff) after
//   `kubelet.imagePullFailAfterMs` (default 1.5 s) instead of hanging like a real node.
// - Both images act as the pod's ServiceAccount over HTTP(S), so RBAC applies. On a plain-HTTP
//   simulator the kubectl image goes through a local HTTPS front (this kubectl sends no token
//   over http://).
// - calicoctl stops a multi-document file at the first failure (CALICO.md); pass
//   `kubelet: { calicoctlFailureMode: 'continue' }` for current upstream behaviour.
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
