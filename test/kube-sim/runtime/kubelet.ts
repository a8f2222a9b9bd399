// The simulated node's kubelet: lists and watches pods in every namespace over HTTP (as a real
// kubelet would, with its own credentials) and runs each new Pending pod in a pod worker.
// A deleted pod's worker is stopped; pods already finished (e.g. loaded from a state file) are left alone.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../../agent/domain/index.js';
import type { Clock, Logger } from '../../../agent/domain/index.js';
import type { FailureMode } from '../calico/calicoctl.js';
import type { ValidationPort } from '../calico/validate.js';
import { createKubeHttp } from './kube-http.js';
import type { WatchEvent } from './kube-http.js';
import { SIM_HOST_IP, SIM_NODE, lostPodStatus } from './pod-status.js';
import { runPod } from './pod-worker.js';
import { startTlsFront } from './tls-front.js';
import type { TlsFront } from './tls-front.js';
import type { NodeServices } from './pod-worker.js';

export interface KubeletOptions {
  readonly url: string;
  readonly adminToken: string;
  /** CA of the simulator's TLS certificate (https only). */
  readonly caCertPath?: string;
  /** The simulator (for ServiceAccount tokens and the pod log store); a `KubeSim` fits. */
  readonly sim: NodeServices;
  /** The real kubectl the kubectl image runs. Default /usr/bin/kubectl. */
  readonly kubectlPath?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Validator the calicoctl emulation uses; default the project's (agent/desired). */
  readonly validator?: ValidationPort;
  /** calicoctl on a failing resource: `stop` (CALICO.md, default) or `continue` (current upstream). */
  readonly calicoctlFailureMode?: FailureMode;
  /** How long an image that is not emulated backs off before the pod fails. Default 1500 ms. */
  readonly imagePullFailAfterMs?: number;
  /** Retry period while a ServiceAccount or ConfigMap is missing. Default 500 ms. */
  readonly retryMs?: number;
}

export interface Kubelet {
  stop(): Promise<void>;
}

const POD_LIST = '/api/v1/pods';

export function startKubelet(o: KubeletOptions): Kubelet {
  const ca = o.caCertPath ? readFileSync(o.caCertPath, 'utf8') : undefined;
  const admin = createKubeHttp({ url: o.url, token: o.adminToken, ...(ca ? { ca } : {}), timeoutMs: 10_000 });
  const deps = {
    admin,
    services: o.sim,
    url: o.url,
    ...(ca ? { ca } : {}),
    ...(o.caCertPath ? { caCertPath: o.caCertPath } : {}),
    kubectlPath: o.kubectlPath ?? '/usr/bin/kubectl',
    kubectlEndpoint: () => kubectlEndpoint(),
    clock: o.clock ?? systemClock,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.validator ? { validator: o.validator } : {}),
    ...(o.calicoctlFailureMode ? { calicoctlFailureMode: o.calicoctlFailureMode } : {}),
    imagePullFailAfterMs: o.imagePullFailAfterMs ?? 1500,
    retryMs: o.retryMs ?? 500,
  };
  let front: Promise<TlsFront> | undefined;
  // One discovery cache for every kubectl run on this node (kubectl re-discovers per fresh HOME).
  let cacheDir: Promise<string> | undefined;
  async function kubectlEndpoint(): Promise<{ url: string; caCertPath?: string; cacheDir: string }> {
    cacheDir ??= mkdtemp(path.join(os.tmpdir(), 'kube-sim-kubectl-cache-'));
    const cache = await cacheDir;
    if (o.url.startsWith('https:')) return { url: o.url, ...(o.caCertPath ? { caCertPath: o.caCertPath } : {}), cacheDir: cache };
    front ??= startTlsFront({ target: o.url });
    const f = await front;
    return { url: f.url, caCertPath: f.caCertPath, cacheDir: cache };
  }
  const stopAll = new AbortController();
  const workers = new Map<string, { stop: AbortController; done: Promise<void> }>();

  function consider(pod: Record<string, unknown>): void {
    const meta = (pod['metadata'] ?? {}) as Record<string, unknown>;
    const status = (pod['status'] ?? {}) as Record<string, unknown>;
    const uid = String(meta['uid'] ?? '');
    if (!uid || workers.has(uid) || meta['deletionTimestamp']) return;
    // Only pods nobody has started: a kubelet restart does not re-run finished or running pods.
    if ((status['phase'] ?? 'Pending') !== 'Pending' || status['startTime'] !== undefined) return;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, stopAll.signal]);
    const done = runPod(pod, deps, signal).catch((err: unknown) => o.logger?.error({ err }, 'pod worker crashed'));
    workers.set(uid, { stop, done });
  }

  let firstList = true;

  /** A pod started before this kubelet existed (state file): its containers are gone. */
  async function recoverLost(pod: Record<string, unknown>): Promise<void> {
    const meta = (pod['metadata'] ?? {}) as Record<string, unknown>;
    const status = (pod['status'] ?? {}) as Record<string, unknown>;
    const phase = status['phase'] ?? 'Pending';
    if (phase !== 'Running' && !(phase === 'Pending' && status['startTime'] !== undefined)) return;
    const path = `/api/v1/namespaces/${encodeURIComponent(String(meta['namespace'] ?? ''))}/pods/${encodeURIComponent(String(meta['name'] ?? ''))}/status`;
    await admin.request({ method: 'PATCH', path, body: { status: lostPodStatus(status, deps.clock.now().toISOString()) } }).catch(() => undefined);
  }

  function onEvent(e: WatchEvent): void {
    if (e.type === 'DELETED') {
      const uid = String(((e.object['metadata'] ?? {}) as Record<string, unknown>)['uid'] ?? '');
      workers.get(uid)?.stop.abort();
      return;
    }
    if (e.type === 'ADDED' || e.type === 'MODIFIED') consider(e.object);
  }

  /** The Node object a kubelet registers, so `kubectl get nodes` shows where pods run. */
  async function registerNode(): Promise<void> {
    const now = deps.clock.now().toISOString();
    const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now };
    const res = await admin
      .request({
        method: 'POST',
        path: '/api/v1/nodes',
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: SIM_NODE, labels: { 'kubernetes.io/hostname': SIM_NODE, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
          spec: {},
        },
      })
      .catch(() => undefined);
    if (res && (res.status === 201 || res.status === 200)) {
      const status = { conditions: [ready], addresses: [{ type: 'InternalIP', address: SIM_HOST_IP }, { type: 'Hostname', address: SIM_NODE }], nodeInfo: { kubeletVersion: 'v1.32.0-kube-sim', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'kube-sim://1' } };
      await admin.request({ method: 'PATCH', path: `/api/v1/nodes/${SIM_NODE}/status`, body: { status } }).catch(() => undefined);
    }
  }

  async function loop(): Promise<void> {
    while (!stopAll.signal.aborted) {
      try {
        const res = await admin.request({ method: 'GET', path: POD_LIST });
        if (res.status !== 200) throw new Error(`pod list answered ${res.status}`);
        const body = res.body as { items?: Record<string, unknown>[]; metadata?: { resourceVersion?: string } };
        for (const pod of body.items ?? []) {
          if (firstList) await recoverLost(pod);
          consider(pod);
        }
        firstList = false;
        const rv = body.metadata?.resourceVersion ?? '';
        const status = await admin.watch({ path: `${POD_LIST}?watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}&timeoutSeconds=300`, onEvent, signal: stopAll.signal });
        // 410 Gone (or an injected error): relist, without spinning.
        if (status !== 200 && !stopAll.signal.aborted) await new Promise((r) => setTimeout(r, 200));
      } catch (err) {
        if (stopAll.signal.aborted) return;
        o.logger?.debug({ err }, 'kubelet watch interrupted; relisting');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  const running = registerNode().then(loop);
  return {
    async stop() {
      stopAll.abort();
      await running;
      await Promise.all([...workers.values()].map((w) => w.done));
      if (front) await (await front).close();
      if (cacheDir) await rm(await cacheDir, { recursive: true, force: true });
    },
  };
}
