// Builds the executor Pod and its ConfigMaps from rendered parts. Pure: the same job id always
// gives the same names, so a retried job finds (and cleans) what an earlier attempt left behind.
import type { V1ConfigMap, V1Container, V1Pod, V1ResourceRequirements, V1SecurityContext, V1Volume } from '@kubernetes/client-node';
import { contentHash } from '../domain/hash.js';
import { EXECUTOR_JOB_LABEL } from '../domain/ownership.js';
import type { RenderedPart } from './render.js';
import { calicoctlCommandFor } from './images.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'calico-gitops';
export const JOB_ID_ANNOTATION = 'calico-gitops.io/job-id';
export const DONE_CONTAINER = 'done';
export const MANIFESTS_ROOT = '/manifests';
export const EXECUTOR_UID = 65532;

export const DEFAULT_EXECUTOR_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

export interface BuildPodInput {
  /** The queue job id; names and labels derive from its hash. */
  readonly jobId: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly calicoctlImage: string;
  readonly kubectlImage: string;
  readonly parts: readonly RenderedPart[];
  readonly configMaps: readonly Readonly<Record<string, string>>[];
  /** Pod `activeDeadlineSeconds`: the kubelet kills the pod after this. */
  readonly deadlineSeconds: number;
  readonly resources?: V1ResourceRequirements;
}

export interface ExecutorObjects {
  readonly pod: V1Pod;
  readonly configMaps: readonly V1ConfigMap[];
}

/** `calico-gitops-<12 hex>`: a DNS label, deterministic from the job id. */
export function podNameFor(jobId: string): string {
  return `calico-gitops-${jobHash(jobId)}`;
}

export function jobHash(jobId: string): string {
  return contentHash(jobId, 12);
}

export function configMapNameFor(jobId: string, index: number): string {
  return `${podNameFor(jobId)}-${index}`;
}

/** Init container name of a part: `p000-calicoctl-apply`. */
export function containerNameFor(part: Pick<RenderedPart, 'index' | 'tool' | 'verb'>): string {
  return `p${String(part.index).padStart(3, '0')}-${part.tool}-${part.verb}`;
}

export function argsFor(part: Pick<RenderedPart, 'tool' | 'verb' | 'configMap' | 'file'>, jobId: string): string[] {
  const path = `${MANIFESTS_ROOT}/${configMapNameFor(jobId, part.configMap)}/${part.file}`;
  if (part.tool === 'calicoctl') {
    return part.verb === 'delete' ? ['delete', '--skip-not-exists', '-f', path] : [part.verb, '-f', path];
  }
  // kubectl apply reads, then creates or patches: one write per resource already.
  return part.verb === 'delete' ? ['delete', '--ignore-not-found', '-f', path] : ['apply', '-f', path];
}

const containerSecurity: V1SecurityContext = {
  runAsNonRoot: true,
  runAsUser: EXECUTOR_UID,
  runAsGroup: EXECUTOR_UID,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function buildExecutorObjects(input: BuildPodInput): ExecutorObjects {
  const name = podNameFor(input.jobId);
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY, [EXECUTOR_JOB_LABEL]: jobHash(input.jobId) };
  const annotations = { [JOB_ID_ANNOTATION]: input.jobId };
  const resources = input.resources ?? DEFAULT_EXECUTOR_RESOURCES;

  const configMaps: V1ConfigMap[] = input.configMaps.map((data, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapNameFor(input.jobId, i), namespace: input.namespace, labels, annotations },
    data: { ...data },
    immutable: true,
  }));

  const volumes: V1Volume[] = [
    ...configMaps.map((cm, i) => ({ name: `manifests-${i}`, configMap: { name: cm.metadata?.name ?? '' } })),
    // kubectl writes its discovery cache under $HOME; the root filesystem stays read-only.
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
  const mounts = [
    ...configMaps.map((cm, i) => ({ name: `manifests-${i}`, mountPath: `${MANIFESTS_ROOT}/${cm.metadata?.name ?? ''}`, readOnly: true })),
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const env = [
    { name: 'DATASTORE_TYPE', value: 'kubernetes' },
    { name: 'HOME', value: '/tmp' },
  ];

  const calicoctlCommand = calicoctlCommandFor(input.calicoctlImage);
  const initContainers: V1Container[] = input.parts.map((part) => ({
    name: containerNameFor(part),
    image: part.tool === 'calicoctl' ? input.calicoctlImage : input.kubectlImage,
    ...(part.tool === 'calicoctl' && calicoctlCommand ? { command: [...calicoctlCommand] } : {}),
    args: argsFor(part, input.jobId),
    env,
    volumeMounts: mounts,
    resources,
    securityContext: containerSecurity,
  }));

  // A pod needs one regular container; it runs only after every init container succeeded, so
  // its exit says "all parts done". `kubectl version --client` needs neither the cluster nor RBAC.
  const done: V1Container = {
    name: DONE_CONTAINER,
    image: input.kubectlImage,
    args: ['version', '--client'],
    env,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    resources,
    securityContext: containerSecurity,
  };

  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: input.namespace, labels, annotations },
    spec: {
      serviceAccountName: input.serviceAccount,
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds: input.deadlineSeconds,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: EXECUTOR_UID,
        runAsGroup: EXECUTOR_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers,
      containers: [done],
      volumes,
    },
  };
  return { pod, configMaps };
}
