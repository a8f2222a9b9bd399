// The executor the configuration chooses, built one way for every caller (the worker role and
// `calico-gitops uninstall`): calicoctl pods, or the API as the impersonated executor account. Its
// start-up checks refuse, before anything runs, an --executor api the cluster or the RBAC cannot serve.
import { formatCalicoVersion, type CalicoVersion } from '../domain/calico-version.js';
import { ConfigError } from '../domain/errors.js';
import type { Logger } from '../domain/runtime.js';
import { ApiExecutor } from '../executor/api-executor.js';
import { apiObjectsFor, impersonating } from '../executor/api-objects.js';
import { CalicoctlExecutor } from '../executor/calicoctl-executor.js';
import { calicoctlImageFor } from '../executor/images.js';
import { kubeOpsFor } from '../executor/kube-ops.js';
import { canI } from '../kube/access.js';
import type { KubeClients } from '../kube/client.js';
import { servesCalicoV3, type ClusterInfo } from '../kube/detect.js';
import type { ExecutorOptions } from './role-options.js';

export type Executor = CalicoctlExecutor | ApiExecutor;

export interface ExecutorWiring {
  readonly executor: ExecutorOptions;
  readonly clients: KubeClients;
  readonly calicoVersion: CalicoVersion;
  readonly logger: Logger;
}

/** The user `--executor api` acts as: the executor ServiceAccount. */
export function executorUser(o: Pick<ExecutorOptions, 'namespace' | 'serviceAccount'>): string {
  return `system:serviceaccount:${o.namespace}:${o.serviceAccount}`;
}

export function createExecutor(o: ExecutorWiring): Executor {
  return o.executor.kind === 'api' ? apiExecutor(o) : calicoctlExecutor(o);
}

/**
 * The executor account's rights without its token: every request carries
 * `Impersonate-User: system:serviceaccount:<namespace>:<executor account>`, and the worker may
 * impersonate that one account only (deploy/rbac-worker.yaml).
 */
function apiExecutor(o: ExecutorWiring): ApiExecutor {
  const user = executorUser(o.executor);
  o.logger.info({ impersonate: user }, 'changes are applied through the API (--executor api)');
  return new ApiExecutor({ api: apiObjectsFor(impersonating(o.clients.config, user)), instance: o.executor.instance, logger: o.logger.child({ component: 'executor' }) });
}

/** calicoctl pods (also what sweeps the pods and ConfigMaps a dead worker left, whichever executor runs). */
export function calicoctlExecutor(o: ExecutorWiring): CalicoctlExecutor {
  return new CalicoctlExecutor({
    kube: kubeOpsFor(o.clients.config),
    namespace: o.executor.namespace,
    serviceAccount: o.executor.serviceAccount,
    calicoctlImage: calicoctlImageFor({ version: o.calicoVersion, override: o.executor.image }),
    podTimeoutMs: o.executor.podTimeoutMs,
    logger: o.logger.child({ component: 'executor' }),
  });
}

/**
 * `--executor api` needs a cluster that serves projectcalico.org/v3 and, in a process that applies
 * (`applies`: it runs workers, or uninstalls), an identity that may impersonate the executor account
 * (by name: `impersonate serviceaccounts/<account>` in its namespace); without either it is refused
 * here, before any role starts. The calicoctl executor needs neither.
 */
export async function checkExecutor(o: {
  readonly executor: ExecutorOptions;
  readonly clients: KubeClients;
  readonly cluster: Pick<ClusterInfo, 'apiMode' | 'calicoVersion'>;
  readonly applies: boolean;
}): Promise<void> {
  if (o.executor.kind !== 'api') return;
  if (!servesCalicoV3(o.cluster.apiMode)) {
    throw new ConfigError(
      `--executor api needs projectcalico.org/v3, which this cluster does not serve (Calico ${formatCalicoVersion(o.cluster.calicoVersion)} on crd.projectcalico.org only): install the Calico API server, or use --executor calicoctl`,
      { code: 'executor' },
    );
  }
  if (!o.applies) return;
  const { namespace, serviceAccount } = o.executor;
  const answer = await canI(o.clients, { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace, name: serviceAccount });
  if (!answer.allowed) {
    throw new ConfigError(
      `--executor api acts as ${executorUser(o.executor)}, but this identity may not impersonate it (impersonate serviceaccounts/${serviceAccount} in namespace ${namespace}): grant that as deploy/rbac-worker.yaml does, or use --executor calicoctl`,
      { code: 'executor' },
    );
  }
}
