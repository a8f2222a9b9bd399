// Pod status as a kubelet reports it: container states (waiting / running / terminated), pod
// phase and conditions. Pure builders over the kubelet's record of what happened.

export type ContainerState =
  | { readonly waiting: { readonly reason: string; readonly message?: string } }
  | { readonly running: { readonly startedAt: string } }
  | { readonly terminated: { readonly exitCode: number; readonly reason: string; readonly message?: string; readonly startedAt: string; readonly finishedAt: string } };

export interface ContainerRecord {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
}

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

export interface PodRecord {
  readonly phase: PodPhase;
  readonly nodeName: string;
  readonly startTime?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly init: readonly ContainerRecord[];
  readonly main: readonly ContainerRecord[];
  /** Time of the last change, for condition transition times. */
  readonly now: string;
}

export const SIM_NODE = 'sim-node-1';
export const SIM_HOST_IP = '10.0.0.11';

export function waiting(reason: string, message?: string): ContainerState {
  return { waiting: message === undefined ? { reason } : { reason, message } };
}

export function terminated(o: { exitCode: number; startedAt: string; finishedAt: string; message?: string; reason?: string }): ContainerState {
  const reason = o.reason ?? (o.exitCode === 0 ? 'Completed' : 'Error');
  return { terminated: { exitCode: o.exitCode, reason, startedAt: o.startedAt, finishedAt: o.finishedAt, ...(o.message ? { message: o.message } : {}) } };
}

function containerStatus(c: ContainerRecord, index: number, podUid: string): Record<string, unknown> {
  const running = 'running' in c.state;
  const done = 'terminated' in c.state;
  return {
    name: c.name,
    image: c.image,
    imageID: done || running ? `kube-sim://${c.image}` : '',
    ...(done || running ? { containerID: `kube-sim://${podUid.slice(0, 8)}-${index}-${c.name}` } : {}),
    state: c.state,
    lastState: {},
    ready: running,
    restartCount: 0,
    started: running,
  };
}

function condition(type: string, status: boolean, now: string, reason?: string): Record<string, unknown> {
  return { type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now, ...(reason ? { reason } : {}) };
}

/** The full `status` object to write for a pod. */
export function podStatus(r: PodRecord, podUid: string): Record<string, unknown> {
  const initDone = r.init.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0);
  const allRunning = r.main.length > 0 && r.main.every((c) => 'running' in c.state);
  const finished = r.phase === 'Succeeded' || r.phase === 'Failed';
  const conditions = [
    condition('PodReadyToStartContainers', r.startTime !== undefined, r.now),
    condition('Initialized', initDone, r.now, initDone ? undefined : 'ContainersNotInitialized'),
    condition('Ready', allRunning && !finished, r.now, allRunning && !finished ? undefined : finished ? 'PodCompleted' : 'ContainersNotReady'),
    condition('ContainersReady', allRunning && !finished, r.now, allRunning && !finished ? undefined : finished ? 'PodCompleted' : 'ContainersNotReady'),
    condition('PodScheduled', true, r.now),
  ];
  return {
    phase: r.phase,
    conditions,
    hostIP: SIM_HOST_IP,
    hostIPs: [{ ip: SIM_HOST_IP }],
    qosClass: 'BestEffort',
    ...(r.startTime ? { startTime: r.startTime } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.message ? { message: r.message } : {}),
    ...(r.init.length ? { initContainerStatuses: r.init.map((c, i) => containerStatus(c, i, podUid)) } : {}),
    containerStatuses: r.main.map((c, i) => containerStatus(c, r.init.length + i, podUid)),
  };
}

/** Phase once every container has run: Succeeded when all exited 0. */
export function finalPhase(containers: readonly ContainerRecord[]): PodPhase {
  return containers.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
}

export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/**
 * Status of a pod this node was running before it restarted (a simulator loaded from a state
 * file): its containers are gone, so, as a kubelet reports them, unfinished ones terminate with
 * ContainerStatusUnknown and the pod fails (restartPolicy is Never on this node).
 */
export function lostPodStatus(status: Record<string, unknown>, now: string): Record<string, unknown> {
  const lost = (list: unknown): unknown =>
    Array.isArray(list)
      ? list.map((c: Record<string, unknown>) => {
          const state = (c['state'] ?? {}) as Record<string, unknown>;
          if (state['terminated']) return c;
          const running = state['running'] as { startedAt?: string } | undefined;
          const message = 'The container could not be located when the pod was terminated';
          return { ...c, ready: false, started: false, state: terminated({ exitCode: 137, reason: 'ContainerStatusUnknown', message, startedAt: running?.startedAt ?? now, finishedAt: now }) };
        })
      : list;
  return {
    ...status,
    phase: 'Failed',
    ...(status['initContainerStatuses'] ? { initContainerStatuses: lost(status['initContainerStatuses']) } : {}),
    ...(status['containerStatuses'] ? { containerStatuses: lost(status['containerStatuses']) } : {}),
  };
}
