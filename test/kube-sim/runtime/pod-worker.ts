// One pod's life on the simulated node: bind, wait for its ServiceAccount and ConfigMaps, run the
// init containers one after the other, then the containers (sequentially), and report every step
// through pods/status, Events and container logs, like a kubelet.
//
// Deliberate simplifications (documented for users of the simulator):
// - restartPolicy OnFailure/Always: containers are never restarted; every policy behaves like Never
//   and the pod ends Succeeded or Failed.
// - An image that is not emulated waits with ErrImagePull, then ImagePullBackOff, and the pod turns
//   Failed (reason ImagePullBackOff) after `imagePullFailAfterMs`, so tests do not hang.
// - A missing ServiceAccount or ConfigMap keeps the pod Pending (containers waiting in
//   ContainerCreating with the reason as message, a FailedMount event), retried until it appears,
//   the pod is deleted or activeDeadlineSeconds passes.
import type { Clock, Logger } from '../../../agent/domain/index.js';
import type { FailureMode } from '../calico/calicoctl.js';
import type { ValidationPort } from '../calico/validate.js';
import { runCalicoctlImage } from './calicoctl-image.js';
import { buildEnv, expandRefs } from './env.js';
import { emulatedImage, entrypointArgv, notEmulatedMessage } from './images.js';
import { createKubeHttp } from './kube-http.js';
import type { KubeHttp } from './kube-http.js';
import { runKubectlImage } from './kubectl-image.js';
import { DEADLINE_MESSAGE, SIM_NODE, finalPhase, podStatus, terminated, waiting } from './pod-status.js';
import type { ContainerRecord, ContainerState, PodRecord } from './pod-status.js';
import { configMapVolumes, mountFiles } from './volumes.js';

/** The parts of the simulator a kubelet uses besides HTTP. */
export interface NodeServices {
  serviceAccountToken(namespace: string, name: string): string;
  appendPodLog(namespace: string, pod: string, container: string, text: string): void;
}

export interface PodWorkerDeps {
  /** The kubelet's own client (admin identity). */
  readonly admin: KubeHttp;
  readonly services: NodeServices;
  readonly url: string;
  readonly ca?: string;
  readonly caCertPath?: string;
  readonly kubectlPath: string;
  /** Where the kubectl image connects: HTTPS, since this kubectl sends no token over plain HTTP. */
  kubectlEndpoint(): Promise<{ url: string; caCertPath?: string; cacheDir?: string }>;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly validator?: ValidationPort;
  readonly calicoctlFailureMode?: FailureMode;
  readonly imagePullFailAfterMs: number;
  readonly retryMs: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

class Stopped extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles with `p`, or rejects with Stopped as soon as the signal aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const onAbort = (): void => reject(new Stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export async function runPod(pod: Obj, deps: PodWorkerDeps, stop: AbortSignal): Promise<void> {
  const meta = obj(pod['metadata']);
  const spec = obj(pod['spec']);
  const ns = String(meta['namespace'] ?? 'default');
  const name = String(meta['name'] ?? '');
  const uid = String(meta['uid'] ?? name);
  const base = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
  const now = (): string => deps.clock.now().toISOString();
  const initSpecs = list(spec['initContainers']);
  const mainSpecs = list(spec['containers']);
  const log = deps.logger?.child({ pod: `${ns}/${name}` });

  let record: PodRecord = {
    phase: 'Pending',
    nodeName: SIM_NODE,
    startTime: now(),
    init: initSpecs.map((c) => ({ name: String(c['name']), image: String(c['image']), state: waiting('PodInitializing') })),
    main: mainSpecs.map((c) => ({ name: String(c['name']), image: String(c['image']), state: waiting(initSpecs.length ? 'PodInitializing' : 'ContainerCreating') })),
    now: now(),
  };

  const deadline = new AbortController();
  const signal = AbortSignal.any([stop, deadline.signal]);
  const seconds = typeof spec['activeDeadlineSeconds'] === 'number' ? spec['activeDeadlineSeconds'] : undefined;
  const timer = seconds !== undefined ? setTimeout(() => deadline.abort(), seconds * 1000) : undefined;
  let eventSeq = 0;
  const eventsSent = new Set<string>();

  async function write(next: Partial<PodRecord>): Promise<void> {
    record = { ...record, ...next, now: now() };
    // Like a kubelet's status manager: keep trying through API errors (and injected faults).
    for (let attempt = 0; ; attempt += 1) {
      const res = await deps.admin.request({ method: 'PATCH', path: `${base}/status`, body: { status: podStatus(record, uid) } }).catch((err: unknown) => err);
      if (!(res instanceof Error || res === undefined)) {
        const { status } = res as { status: number };
        if (status === 404) throw new Stopped();
        if (status < 300) return;
        if (status < 500 && status !== 409 && status !== 429) {
          log?.warn({ status }, 'pod status update refused');
          return;
        }
      }
      if (attempt >= 20) {
        log?.warn({ attempt }, 'pod status update kept failing; giving up on this update');
        return;
      }
      await sleep(Math.min(50 * 2 ** attempt, 1000), stop);
    }
  }

  async function event(type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): Promise<void> {
    const key = `${reason}:${message}`;
    if (eventsSent.has(key)) return;
    eventsSent.add(key);
    const ts = now();
    eventSeq += 1;
    await deps.admin
      .request({
        method: 'POST',
        path: `/api/v1/namespaces/${encodeURIComponent(ns)}/events`,
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${name}.${Date.parse(ts).toString(16)}${eventSeq}`, namespace: ns },
          involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace: ns, uid },
          reason,
          message,
          type,
          source: component === 'kubelet' ? { component, host: SIM_NODE } : { component },
          firstTimestamp: ts,
          lastTimestamp: ts,
          count: 1,
          reportingComponent: component,
          reportingInstance: component === 'kubelet' ? SIM_NODE : `${component}-sim`,
        },
      })
      .catch(() => undefined);
  }

  function setState(which: 'init' | 'main', index: number, state: ContainerState): Partial<PodRecord> {
    const update = (cs: readonly ContainerRecord[]): ContainerRecord[] => cs.map((c, i) => (i === index ? { ...c, state } : c));
    return which === 'init' ? { init: update(record.init) } : { main: update(record.main) };
  }

  function allWaiting(reason: string, message: string): Partial<PodRecord> {
    const w = (cs: readonly ContainerRecord[]): ContainerRecord[] => cs.map((c) => ('waiting' in c.state ? { ...c, state: waiting(reason, message) } : c));
    return { init: w(record.init), main: w(record.main) };
  }

  /** Waits for the ServiceAccount and every ConfigMap volume; returns the ConfigMaps' data. */
  async function prerequisites(): Promise<Map<string, Record<string, string>>> {
    const sa = String(spec['serviceAccountName'] ?? spec['serviceAccount'] ?? 'default') || 'default';
    for (;;) {
      const problems: string[] = [];
      const saRes = await deps.admin.request({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}` });
      if (saRes.status === 404) problems.push(`serviceaccount "${sa}" not found`);
      const maps = new Map<string, Record<string, string>>();
      for (const v of configMapVolumes(spec)) {
        const res = await deps.admin.request({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps/${encodeURIComponent(v.configMap)}` });
        if (res.status === 200) maps.set(v.configMap, Object.fromEntries(Object.entries(obj(obj(res.body)['data'])).map(([k, val]) => [k, String(val)])));
        else if (!v.optional) problems.push(`MountVolume.SetUp failed for volume "${v.volume}" : configmap "${v.configMap}" not found`);
      }
      if (problems.length === 0) return maps;
      const message = problems.map((p) => p.replace(/^MountVolume\.SetUp failed for volume "[^"]*" : /, '')).join('; ');
      await write(allWaiting('ContainerCreating', message));
      for (const p of problems) await event('Warning', 'FailedMount', p);
      await sleep(deps.retryMs, signal);
    }
  }

  async function runContainer(which: 'init' | 'main', index: number, c: Obj, configMaps: Map<string, Record<string, string>>): Promise<number> {
    const cname = String(c['name']);
    const imageName = String(c['image']);
    const image = emulatedImage(imageName);
    if (!image) {
      const message = notEmulatedMessage(imageName);
      await write(setState(which, index, waiting('ErrImagePull', message)));
      await event('Warning', 'Failed', `Failed to pull image "${imageName}": ${message}`);
      await sleep(deps.imagePullFailAfterMs / 2, signal);
      await write(setState(which, index, waiting('ImagePullBackOff', `Back-off pulling image "${imageName}": ${message}`)));
      await event('Normal', 'BackOff', `Back-off pulling image "${imageName}"`);
      await sleep(deps.imagePullFailAfterMs / 2, signal);
      await write({ phase: 'Failed', reason: 'ImagePullBackOff', message });
      return -1;
    }
    await event('Normal', 'Pulled', `Container image "${imageName}" already present on machine`);

    const sources = {
      configMap: (n: string) => configMaps.get(n),
      field: (p: string) => ({ 'metadata.name': name, 'metadata.namespace': ns, 'metadata.uid': uid, 'spec.nodeName': SIM_NODE, 'spec.serviceAccountName': String(spec['serviceAccountName'] ?? 'default') })[p],
    };
    const envResult = buildEnv(c['env'], sources);
    if (!envResult.ok) {
      await write(setState(which, index, waiting('CreateContainerConfigError', envResult.message)));
      await event('Warning', 'Failed', `Error: ${envResult.message}`);
      for (;;) await sleep(deps.retryMs, signal);
    }
    const env = envResult.env;
    const sa = String(spec['serviceAccountName'] ?? 'default');
    const token = serviceAccountToken(sa);
    if (token === undefined) {
      // Deleted after admission: the token cannot be mounted; the container never starts.
      await write(setState(which, index, waiting('CreateContainerConfigError', `serviceaccount "${sa}" not found`)));
      for (;;) await sleep(deps.retryMs, signal);
    }
    const expand = (v: string[] | undefined): string[] | undefined => v?.map((s) => expandRefs(s, env));
    const command = expand(strs(c['command']));
    const argvResult = entrypointArgv({ tool: image.kind, ...('binary' in image && image.binary ? { binary: image.binary } : {}), ...(command ? { command } : {}), args: expand(strs(c['args'])) ?? [] });
    const startedAt = now();
    await event('Normal', 'Created', `Created container ${cname}`);
    if (!argvResult.ok) {
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${argvResult.message}: unknown`;
      await write(setState(which, index, terminated({ exitCode: 128, reason: 'StartError', message, startedAt, finishedAt: now() })));
      await event('Warning', 'Failed', `Error: ${message}`);
      return 128;
    }
    await write(setState(which, index, { running: { startedAt } }));
    await event('Normal', 'Started', `Started container ${cname}`);
    const onOutput = (_stream: 'stdout' | 'stderr', text: string): void => {
      // A deleted pod's logs are gone; late output of an interrupted run is dropped.
      if (!stop.aborted) deps.services.appendPodLog(ns, name, cname, text);
    };
    const files = mountFiles({ podSpec: spec, container: c, configMaps });

    let exitCode: number;
    if (image.kind === 'calicoctl') {
      // As libcalico-go's client-go config sends it, so managedFields name `calicoctl`.
      const userAgent = `calicoctl/${image.version} (linux/amd64) kubernetes/$Format`;
      const api = createKubeHttp({ url: deps.url, token, ...(deps.ca ? { ca: deps.ca } : {}), timeoutMs: 10_000, userAgent });
      const run = runCalicoctlImage({ argv: argvResult.argv, env, files, api, version: image.version, ...(deps.validator ? { validator: deps.validator } : {}), ...(deps.calicoctlFailureMode ? { failureMode: deps.calicoctlFailureMode } : {}), onOutput });
      // The emulation is not interruptible mid-request; a deadline still ends the container.
      exitCode = (await abortable(run, signal)).exitCode;
    } else {
      const endpoint = await deps.kubectlEndpoint();
      const server = { url: endpoint.url, token, namespace: ns, ...(endpoint.caCertPath ? { caCertPath: endpoint.caCertPath } : {}) };
      exitCode = (await runKubectlImage({ kubectlPath: deps.kubectlPath, argv: argvResult.argv, env, files, server, signal, onOutput, ...(endpoint.cacheDir ? { cacheDir: endpoint.cacheDir } : {}) })).exitCode;
      if (signal.aborted) throw new Stopped();
    }
    await write(setState(which, index, terminated({ exitCode, startedAt, finishedAt: now() })));
    return exitCode;
  }

  try {
    await bind();
    await event('Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${SIM_NODE}`, 'default-scheduler');
    await write({});
    const configMaps = await prerequisites();
    for (const [i, c] of initSpecs.entries()) {
      const code = await runContainer('init', i, c, configMaps);
      if (code === -1) return;
      if (code !== 0) {
        await write({ phase: 'Failed' });
        return;
      }
    }
    await write({ phase: 'Running', main: record.main.map((c) => ({ ...c, state: waiting('ContainerCreating') })) });
    for (const [i, c] of mainSpecs.entries()) {
      const code = await runContainer('main', i, c, configMaps);
      if (code === -1) return;
    }
    await write({ phase: finalPhase(record.main) });
  } catch (err) {
    if (!(err instanceof Stopped)) {
      log?.error({ err }, 'pod worker failed');
      return;
    }
    if (deadline.signal.aborted && !stop.aborted) await deadlineExceeded().catch(() => undefined);
  } finally {
    if (timer) clearTimeout(timer);
  }

  function serviceAccountToken(sa: string): string | undefined {
    try {
      return deps.services.serviceAccountToken(ns, sa);
    } catch {
      return undefined;
    }
  }

  async function bind(): Promise<void> {
    if (typeof spec['nodeName'] === 'string' && spec['nodeName'] !== '') return;
    const res = await deps.admin.request({
      method: 'POST',
      path: `${base}/binding`,
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns }, target: { apiVersion: 'v1', kind: 'Node', name: SIM_NODE } },
    });
    if (res.status >= 300) log?.warn({ status: res.status }, 'binding refused; pod runs unbound');
  }

  async function deadlineExceeded(): Promise<void> {
    const finishedAt = now();
    const kill = (cs: readonly ContainerRecord[]): ContainerRecord[] =>
      cs.map((c) => ('running' in c.state ? { ...c, state: terminated({ exitCode: 137, reason: 'Error', startedAt: c.state.running.startedAt, finishedAt }) } : c));
    await write({ phase: 'Failed', reason: 'DeadlineExceeded', message: DEADLINE_MESSAGE, init: kill(record.init), main: kill(record.main) });
    await event('Normal', 'DeadlineExceeded', DEADLINE_MESSAGE);
  }
}
