// The Kubernetes client factory: one KubeConfig from a kubeconfig file and context, or the
// library's defaults (KUBECONFIG, ~/.kube/config, in-cluster with token rotation).
import {
  ApisApi,
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  Watch,
} from '@kubernetes/client-node';
import { ConfigError } from '../domain/errors.js';

export interface KubeClientOptions {
  /** Kubeconfig file; absent → KubeConfig.loadFromDefault(). */
  readonly kubeconfig?: string;
  /** Context inside the kubeconfig; absent → its current context. */
  readonly context?: string;
}

export interface KubeClients {
  readonly config: KubeConfig;
  /** API server URL (for messages; carries no credentials). */
  readonly server: string;
  /** Generic access to any `/apis/<group>/<version>/<plural>` collection (CRDs and built-ins alike). */
  readonly customObjects: CustomObjectsApi;
  readonly apis: ApisApi;
  readonly coordination: CoordinationV1Api;
  readonly watch: Watch;
}

export function createKubeClients(options: KubeClientOptions = {}): KubeClients {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (err) {
    const what = options.kubeconfig === undefined ? 'the default kubeconfig' : `kubeconfig ${options.kubeconfig}`;
    throw new ConfigError(`cannot load ${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { code: 'kubeconfig', cause: err });
  }
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new ConfigError(`kubeconfig has no context "${options.context}" (known: ${known.join(', ') || 'none'})`, { code: 'kubeconfig' });
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ConfigError('kubeconfig names no cluster for the current context', { code: 'kubeconfig' });
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) allowPlainHttp(config);
  return {
    config,
    server: cluster.server,
    customObjects: config.makeApiClient(CustomObjectsApi),
    apis: config.makeApiClient(ApisApi),
    coordination: config.makeApiClient(CoordinationV1Api),
    watch: new Watch(config),
  };
}

/**
 * client-node 1.4 refuses an `http:` server unless `skipTLSVerify` is set, although there is no
 * TLS to verify; kubectl accepts such kubeconfigs (local test clusters), so we do too.
 */
function allowPlainHttp(config: KubeConfig): void {
  config.loadFromOptions({
    clusters: config.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
    users: config.users,
    contexts: config.contexts,
    currentContext: config.currentContext,
  });
}
