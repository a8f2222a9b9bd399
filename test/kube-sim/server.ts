// An in-process Kubernetes API server for tests and the demo: real HTTP(S) on loopback,
// discovery, CRUD with resourceVersions, watches, RBAC, fault injection and state files.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeApi } from './api.js';
import { CalicoApiServer, calicoV3Types } from './calico-apiserver.js';
import { TokenAuthority, type TokenDump } from './authn.js';
import { bootstrapObjects } from './bootstrap.js';
import { Faults, type FaultRule } from './faults.js';
import { writeKubeconfigFile } from './kubeconfig.js';
import { metaOf, str } from './meta.js';
import { PodLogs } from './pod-logs.js';
import { TypeRegistry } from './registry.js';
import { dropMatchingWatches, route, type RouterContext } from './router.js';
import { typeFromCrd } from './crd-types.js';
import { ObjectStore, type StoreDump } from './store.js';
import { makeServingCert, type ServingCert } from './tls.js';
import type { WatchHandle } from './watch.js';

export interface KubeSimOptions {
  /** 0 = random (default). */
  port?: number;
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (made with the openssl CLI). */
  tls?: boolean;
  /** Seeds ClusterInformation `default` spec.calicoVersion and which Calico CRDs exist; default v3.31.2. */
  calicoVersion?: string;
  /** Also serve projectcalico.org/v3 like the Calico API server (a converted view of the CRDs). */
  calicoApiServer?: boolean;
  /**
   * Calico v3.32's native projectcalico.org/v3 CRDs instead of crd.projectcalico.org/v1 (objects
   * stored as they are; no Calico validation). Not with calicoApiServer. The emulated calicoctl
   * writes crd.projectcalico.org, so it does not work in this mode.
   */
  calicoNativeV3?: boolean;
  /** Loaded at start if it exists. */
  stateFile?: string;
  faults?: FaultRule[];
  /** Events kept for watch replay; a watch from an older resourceVersion gets 410 Expired. Default 10000. */
  historySize?: number;
  /** Period of BOOKMARK events on watches that allow them. Default 5000 ms. */
  bookmarkIntervalMs?: number;
  /** How long a deleted namespace stays Terminating with its contents before they go. Default 1000 ms. */
  namespaceDeletionDelayMs?: number;
}

export interface KubeSim {
  /** http(s)://127.0.0.1:PORT */
  readonly url: string;
  /** Full access (system:masters). */
  readonly adminToken: string;
  readonly calicoVersion: string;
  /** With tls: the CA (self-signed serving certificate) to trust. */
  readonly caCertPath?: string;
  /** Writes a kubeconfig for admin, or for a ServiceAccount (uses its token). */
  writeKubeconfig(file: string, opts?: { serviceAccount?: { namespace: string; name: string } }): Promise<void>;
  /** Token for a ServiceAccount (must exist, else throws); RBAC applies to requests bearing it. */
  serviceAccountToken(namespace: string, name: string): string;
  /** Logs served by GET /api/v1/namespaces/NS/pods/NAME/log?container=C (the runtime writes them). */
  appendPodLog(namespace: string, pod: string, container: string, text: string): void;
  /**
   * Resource requests received so far with this verb (`list`, `watch`, `get`, ...) on this
   * resource (`pods`; `group` '' for the core API), faulted ones included, in `namespace` only
   * ('' = cluster-wide requests) or in all; a test proves a cache reads its watch, not a new list.
   */
  requestCount(q: { verb: string; resource: string; group?: string; namespace?: string }): number;
  /** `list` returns the rules not yet spent (a test checks its fault did fire). */
  readonly faults: { set(rules: FaultRule[]): void; clear(): void; list(): FaultRule[] };
  saveState(file: string): Promise<void>;
  close(): Promise<void>;
}

export type { FaultRule } from './faults.js';

interface StateFile {
  readonly format: 'kube-sim/v1';
  readonly calicoVersion: string;
  readonly store: StoreDump;
  readonly tokens: TokenDump;
  readonly logs: Record<string, string>;
}

export const DEFAULT_CALICO_VERSION = 'v3.31.2';

export async function startKubeSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  if (opts.calicoNativeV3 && opts.calicoApiServer) throw new Error('kube-sim: calicoNativeV3 and calicoApiServer exclude each other');
  const store = new ObjectStore(opts.historySize ?? 10_000);
  const registry = new TypeRegistry();
  const tokens = new TokenAuthority();
  const logs = new PodLogs();
  const faults = new Faults();
  const now = (): Date => new Date();
  const api = new KubeApi({
    store,
    registry,
    tokens,
    now,
    ...(opts.namespaceDeletionDelayMs !== undefined ? { namespaceDeletionDelayMs: opts.namespaceDeletionDelayMs } : {}),
    // A pod re-created under the same name must not show the old run's logs.
    onDeleted: (t, gone) => {
      if (t.group === '' && t.resource === 'pods') logs.removePod(str(metaOf(gone)['namespace']), str(metaOf(gone)['name']));
    },
  });
  const watches = new Set<WatchHandle>();

  let calicoVersion = opts.calicoVersion ?? DEFAULT_CALICO_VERSION;
  const state = opts.stateFile && existsSync(opts.stateFile) ? (JSON.parse(await readFile(opts.stateFile, 'utf8')) as StateFile) : undefined;
  if (state) {
    if (state.format !== 'kube-sim/v1') throw new Error(`kube-sim: ${opts.stateFile ?? ''} is not a kube-sim state file`);
    calicoVersion = opts.calicoVersion ?? state.calicoVersion;
    store.load(state.store);
    tokens.load(state.tokens);
    logs.load(state.logs);
    for (const o of store.list('apiextensions.k8s.io/customresourcedefinitions')) {
      const t = typeFromCrd(o);
      if (t) registry.addCrd(t);
    }
  } else {
    for (const seed of bootstrapObjects({ calicoVersion, nativeV3: opts.calicoNativeV3 === true })) {
      const t = registry.all().find((x) => x.group === seed.group && x.resource === seed.resource);
      if (!t) throw new Error(`kube-sim: no type for ${seed.group}/${seed.resource}`);
      api.create(t, str(metaOf(seed.object)['namespace']), seed.object);
    }
  }
  if (opts.faults) faults.set(opts.faults);
  let calico: CalicoApiServer | undefined;
  if (opts.calicoApiServer) {
    for (const t of calicoV3Types(calicoVersion)) registry.addCrd(t);
    calico = new CalicoApiServer({ api, registry, store, calicoVersion });
  }

  let cert: ServingCert | undefined;
  let hostPort = '';
  const ctx: RouterContext = {
    store,
    registry,
    api,
    tokens,
    logs,
    watches,
    faults,
    requests: new Map(),
    now,
    rbac: store,
    ...(calico ? { calico } : {}),
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000,
    hostPort: () => hostPort,
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => void route(ctx, req, res);
  let server: Server;
  if (opts.tls) {
    cert = await makeServingCert();
    server = createHttpsServer({ cert: cert.cert, key: cert.key }, handler);
  } else server = createHttpServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostPort = `127.0.0.1:${port}`;
  const url = `${opts.tls ? 'https' : 'http'}://${hostPort}`;

  const saToken = (namespace: string, name: string): string => {
    const sa = store.get('/serviceaccounts', namespace, name);
    if (!sa) throw new Error(`kube-sim: serviceaccount ${namespace}/${name} does not exist`);
    return tokens.issue(namespace, name, str(metaOf(sa)['uid']));
  };

  const sim: KubeSim = {
    url,
    get adminToken() {
      return tokens.adminToken;
    },
    calicoVersion,
    ...(cert ? { caCertPath: cert.certPath } : {}),
    async writeKubeconfig(file, o = {}) {
      const sa = o.serviceAccount;
      await writeKubeconfigFile(file, {
        server: url,
        token: sa ? saToken(sa.namespace, sa.name) : tokens.adminToken,
        user: sa ? `system:serviceaccount:${sa.namespace}:${sa.name}` : 'kubernetes-admin',
        ...(sa ? { namespace: sa.namespace } : {}),
        ...(cert ? { caData: cert.cert } : {}),
      });
    },
    serviceAccountToken: saToken,
    requestCount: (q) => {
      const prefix = `${q.verb} ${q.group ?? ''}/${q.resource} `;
      let n = 0;
      for (const [key, count] of ctx.requests) if (key.startsWith(prefix) && (q.namespace === undefined || key.slice(prefix.length) === q.namespace)) n += count;
      return n;
    },
    appendPodLog(namespace, pod, container, text) {
      logs.append(namespace, pod, container, text);
    },
    faults: {
      set(rules) {
        faults.set(rules);
        dropMatchingWatches(ctx);
      },
      clear() {
        faults.clear();
      },
      list: () => faults.list(),
    },
    async saveState(file) {
      const s: StateFile = { format: 'kube-sim/v1', calicoVersion, store: store.dump(), tokens: tokens.dump(), logs: logs.dump() };
      await writeFile(file, JSON.stringify(s), { mode: 0o600 });
    },
    async close() {
      for (const w of [...watches]) w.drop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (cert) await rm(cert.dir, { recursive: true, force: true });
    },
  };
  return sim;
}
