import { describe, expect, it } from 'vitest';
import { batchesFor } from '../../agent/executor/batches.js';
import { calicoctlCommandFor, calicoctlImageFor } from '../../agent/executor/images.js';
import { buildExecutorObjects, podNameFor } from '../../agent/executor/pod.js';
import { renderBatches } from '../../agent/executor/render.js';
import { step } from './steps.js';

const steps = [
  step('create', 'Tier', 't'),
  step('create', 'KubernetesNetworkPolicy', 'k', 'n'),
  step('create', 'HostEndpoint', 'h'),
  step('delete', 'GlobalNetworkPolicy', 'old'),
  step('delete', 'KubernetesNetworkPolicy', 'gone', 'n'),
];

function build(jobId = 'sync-default-abc-123') {
  const { parts, configMaps } = renderBatches({ batches: batchesFor(steps) });
  return buildExecutorObjects({
    jobId,
    namespace: 'calico-gitops',
    serviceAccount: 'calico-gitops-executor',
    calicoctlImage: 'quay.io/calico/ctl:v3.31.2',
    kubectlImage: 'registry.k8s.io/kubectl:v1.32.0',
    parts,
    configMaps,
    deadlineSeconds: 120,
  });
}

describe('buildExecutorObjects', () => {
  it('names pod and ConfigMaps deterministically from the job id', () => {
    const a = build();
    const b = build();
    expect(a).toEqual(b);
    expect(a.pod.metadata?.name).toMatch(/^calico-gitops-[0-9a-f]{12}$/);
    expect(a.pod.metadata?.name).toBe(podNameFor('sync-default-abc-123'));
    expect(build('sync-default-abc-124').pod.metadata?.name).not.toBe(a.pod.metadata?.name);
    expect(a.configMaps.map((c) => c.metadata?.name)).toEqual([`${a.pod.metadata?.name}-0`]);
  });

  it('labels everything as ours and with the job', () => {
    const { pod, configMaps } = build();
    for (const meta of [pod.metadata, ...configMaps.map((c) => c.metadata)]) {
      expect(meta?.labels?.['app.kubernetes.io/managed-by']).toBe('calico-gitops');
      expect(meta?.labels?.['calico-gitops.io/job']).toMatch(/^[0-9a-f]{12}$/);
      expect(meta?.namespace).toBe('calico-gitops');
    }
  });

  it('runs one init container per part in plan order with the right tool and arguments', () => {
    const { pod } = build();
    const cm = `${pod.metadata?.name}-0`;
    expect(pod.spec?.initContainers?.map((c) => [c.name, c.image, c.args?.join(' ')])).toEqual([
      ['p000-calicoctl-apply', 'quay.io/calico/ctl:v3.31.2', `apply -f /manifests/${cm}/000-calicoctl-apply.yaml`],
      ['p001-kubectl-apply', 'registry.k8s.io/kubectl:v1.32.0', `apply -f /manifests/${cm}/001-kubectl-apply.yaml`],
      ['p002-calicoctl-apply', 'quay.io/calico/ctl:v3.31.2', `apply -f /manifests/${cm}/002-calicoctl-apply.yaml`],
      ['p003-calicoctl-delete', 'quay.io/calico/ctl:v3.31.2', `delete --skip-not-exists -f /manifests/${cm}/003-calicoctl-delete.yaml`],
      ['p004-kubectl-delete', 'registry.k8s.io/kubectl:v1.32.0', `delete --ignore-not-found -f /manifests/${cm}/004-kubectl-delete.yaml`],
    ]);
    expect(pod.spec?.containers.map((c) => [c.name, c.args])).toEqual([['done', ['version', '--client']]]);
  });

  it('replaces a part of Calico updates only (calicoctl apply would POST each first, refused with 409)', () => {
    const updates = [step('update', 'NetworkPolicy', 'a', 'n'), step('update', 'GlobalNetworkPolicy', 'g')];
    const { parts, configMaps } = renderBatches({ batches: batchesFor(updates) });
    const { pod } = buildExecutorObjects({ jobId: 'j', namespace: 'calico-gitops', serviceAccount: 'sa', calicoctlImage: 'quay.io/calico/ctl:v3.31.2', kubectlImage: 'k', parts, configMaps, deadlineSeconds: 60 });
    const cm = `${pod.metadata?.name}-0`;
    expect(pod.spec?.initContainers?.map((c) => [c.name, c.args?.join(' ')])).toEqual([['p000-calicoctl-replace', `replace -f /manifests/${cm}/000-calicoctl-replace.yaml`]]);
  });

  it('is hardened: non-root, read-only, no privileges, deadline, never restarted, executor identity', () => {
    const { pod } = build();
    const spec = pod.spec;
    expect(spec?.serviceAccountName).toBe('calico-gitops-executor');
    expect(spec?.restartPolicy).toBe('Never');
    expect(spec?.activeDeadlineSeconds).toBe(120);
    expect(spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.resources?.limits).toBeDefined();
      expect(c.resources?.requests).toBeDefined();
      expect(c.env).toContainEqual({ name: 'DATASTORE_TYPE', value: 'kubernetes' });
      for (const m of c.volumeMounts ?? []) if (m.mountPath.startsWith('/manifests/')) expect(m.readOnly).toBe(true);
    }
  });
});

describe('calicoctlImageFor', () => {
  it.each([
    [{ major: 3, minor: 28, patch: 2 }, undefined, 'calico/ctl:v3.28.2'],
    [{ major: 3, minor: 30, patch: 5 }, undefined, 'calico/ctl:v3.30.5'],
    [{ major: 3, minor: 31, patch: 2 }, undefined, 'quay.io/calico/ctl:v3.31.2'],
    [{ major: 3, minor: 32, patch: 0 }, undefined, 'quay.io/calico/ctl:v3.32.0'],
    [{ major: 3, minor: 33, patch: 0 }, undefined, 'quay.io/calico/calico:v3.33.0'],
    [{ major: 3, minor: 34, patch: 1 }, undefined, 'quay.io/calico/calico:v3.34.1'],
    [{ major: 3, minor: 31, patch: 2 }, 'mirror.local/ctl:v3.31.2', 'mirror.local/ctl:v3.31.2'],
  ])('%o with override %s → %s', (version, override, expected) => {
    expect(calicoctlImageFor({ version, override })).toBe(expected);
  });
});

describe('calicoctlCommandFor', () => {
  it.each([
    ['quay.io/calico/ctl:v3.31.2', undefined],
    ['calico/ctl:v3.28.2', undefined],
    ['quay.io/calico/calico:v3.33.0', ['/usr/bin/calicoctl']],
    ['calico/calico:v3.33.0', ['/usr/bin/calicoctl']],
    ['mirror.local:5000/calico/calico:v3.33.0@sha256:abc', ['/usr/bin/calicoctl']],
    ['mirror.local/ctl:v3.31.2', undefined],
  ])('%s → %j', (image, command) => expect(calicoctlCommandFor(image)).toEqual(command));
});
