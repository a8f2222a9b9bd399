// Pure parts of the pod runtime: image recognition, entrypoints, environment, volumes, kubectl path
// rewriting and pod status shapes.
import { describe, it, expect } from 'vitest';
import { buildEnv, expandRefs } from './runtime/env.js';
import { emulatedImage, entrypointArgv, parseImageRef } from './runtime/images.js';
import { kubeconfigYaml, rewritePaths } from './runtime/kubectl-image.js';
import { finalPhase, podStatus, terminated, waiting } from './runtime/pod-status.js';
import { configMapVolumes, mountFiles } from './runtime/volumes.js';

describe('images', () => {
  it.each([
    ['quay.io/calico/ctl:v3.31.2', 'quay.io/calico/ctl', 'v3.31.2'],
    ['calico/ctl', 'calico/ctl', 'latest'],
    ['localhost:5000/calico/ctl:v3.30.0', 'localhost:5000/calico/ctl', 'v3.30.0'],
    ['quay.io/calico/ctl:v3.31.2@sha256:abc', 'quay.io/calico/ctl', 'v3.31.2'],
  ])('parses %s', (image, repository, tag) => expect(parseImageRef(image)).toEqual({ repository, tag }));

  it.each([
    ['quay.io/calico/ctl:v3.31.2', 'calicoctl', 'v3.31.2'],
    ['calico/ctl:v3.28.2', 'calicoctl', 'v3.28.2'],
    ['registry.k8s.io/kubectl:v1.32.0', 'kubectl', 'v1.32.0'],
    ['bitnami/kubectl:1.32', 'kubectl', '1.32'],
    ['ubuntu:24.04', undefined, undefined],
    ['quay.io/calico/node:v3.31.2', undefined, undefined],
  ])('recognises %s as %s', (image, kind, version) => {
    const found = emulatedImage(image);
    expect(found?.kind).toBe(kind);
    expect(found?.version).toBe(version);
  });

  it.each([
    [{ tool: 'calicoctl' as const, args: ['apply', '-f', 'x'] }, ['apply', '-f', 'x']],
    [{ tool: 'calicoctl' as const, command: ['calicoctl', 'apply'], args: ['-f', 'x'] }, ['apply', '-f', 'x']],
    [{ tool: 'calicoctl' as const, command: ['/calicoctl', 'version'] }, ['version']],
    [{ tool: 'kubectl' as const, command: ['kubectl', 'get', 'ns'] }, ['get', 'ns']],
  ])('builds argv %j', (input, argv) => expect(entrypointArgv(input)).toEqual({ ok: true, argv }));

  it('cannot exec what the image does not have', () => {
    expect(entrypointArgv({ tool: 'calicoctl', command: ['sh', '-c', 'calicoctl apply'] })).toEqual({ ok: false, message: 'exec: "sh": executable file not found in $PATH' });
  });
});

describe('container environment', () => {
  const sources = {
    configMap: (n: string) => (n === 'cfg' ? { level: 'debug' } : undefined),
    field: (p: string) => ({ 'metadata.namespace': 'ns1', 'metadata.name': 'pod1' })[p],
  };

  it('resolves values, references and $(VAR) expansion in order', () => {
    const env = buildEnv(
      [
        { name: 'A', value: 'one' },
        { name: 'B', value: '$(A)-two-$$(A)-$(MISSING)' },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
      ],
      sources,
    );
    expect(env).toEqual({ ok: true, env: { A: 'one', B: 'one-two-$(A)-$(MISSING)', NS: 'ns1', LEVEL: 'debug' } });
  });

  it.each([
    [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }, 'configmap "gone" not found'],
    [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }, "couldn't find key k in ConfigMap cfg"],
  ])('reports %j', (entry, message) => expect(buildEnv([entry], sources)).toEqual({ ok: false, message }));

  it('expands args like the kubelet', () => expect(expandRefs('-f=$(DIR)/a.yaml', { DIR: '/m' })).toBe('-f=/m/a.yaml'));
});

describe('ConfigMap volumes', () => {
  const podSpec = {
    volumes: [
      { name: 'all', configMap: { name: 'plan' } },
      { name: 'some', configMap: { name: 'plan', items: [{ key: 'b.yaml', path: 'sub/renamed.yaml' }] } },
      { name: 'opt', configMap: { name: 'maybe', optional: true } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
  const configMaps = new Map([['plan', { 'a.yaml': 'A', 'b.yaml': 'B' }]]);

  it('lists the ConfigMaps a pod needs', () => {
    expect(configMapVolumes(podSpec)).toEqual([
      { volume: 'all', configMap: 'plan', optional: false },
      { volume: 'some', configMap: 'plan', optional: false },
      { volume: 'opt', configMap: 'maybe', optional: true },
    ]);
  });

  it('mounts keys, items and subPaths where the container asks', () => {
    const container = {
      volumeMounts: [
        { name: 'all', mountPath: '/manifests/plan' },
        { name: 'some', mountPath: '/other/' },
        { name: 'all', mountPath: '/etc/one.yaml', subPath: 'a.yaml' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    };
    const files = mountFiles({ podSpec, container, configMaps });
    expect(files.readFile('/manifests/plan/a.yaml')).toBe('A');
    expect(files.readFile('manifests/plan/b.yaml')).toBe('B');
    expect(files.readFile('/other/sub/renamed.yaml')).toBe('B');
    expect(files.readFile('/other/b.yaml')).toBeUndefined();
    expect(files.readFile('/etc/one.yaml')).toBe('A');
    expect(files.mountPaths()).toEqual(['/manifests/plan', '/etc/one.yaml', '/other', '/tmp']);
  });
});

describe('kubectl image', () => {
  it.each([
    ['/manifests/a.yaml', '/root/manifests/a.yaml'],
    ['--filename=/manifests/a.yaml', '--filename=/root/manifests/a.yaml'],
    ['-f=/manifests', '-f=/root/manifests'],
    ['/manifestsX/a.yaml', '/manifestsX/a.yaml'],
    ['apply', 'apply'],
  ])('rewrites %s', (arg, expected) => expect(rewritePaths(arg, ['/manifests'], '/root')).toBe(expected));

  it('writes a kubeconfig for the pod identity and namespace', () => {
    const text = kubeconfigYaml({ url: 'https://127.0.0.1:1', token: 't0k', caCertPath: '/ca.crt', namespace: 'ns1' });
    expect(text).toContain('server: "https://127.0.0.1:1"');
    expect(text).toContain('certificate-authority: "/ca.crt"');
    expect(text).toContain('token: "t0k"');
    expect(text).toContain('namespace: "ns1"');
  });
});

describe('pod status', () => {
  const t = { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' };
  it.each([
    [[0, 0], 'Succeeded'],
    [[0, 1], 'Failed'],
    [[2], 'Failed'],
  ])('exit codes %j end %s', (codes, phase) => {
    expect(finalPhase(codes.map((exitCode, i) => ({ name: `c${i}`, image: 'i', state: terminated({ exitCode, ...t }) })))).toBe(phase);
  });

  it('reports container states and reasons like a kubelet', () => {
    const status = podStatus(
      {
        phase: 'Failed',
        nodeName: 'n',
        startTime: t.startedAt,
        now: t.finishedAt,
        init: [{ name: 'i', image: 'img', state: terminated({ exitCode: 1, ...t }) }],
        main: [{ name: 'c', image: 'img', state: waiting('PodInitializing') }],
      },
      'uid-1234567890',
    );
    expect(status).toMatchObject({
      phase: 'Failed',
      startTime: t.startedAt,
      initContainerStatuses: [{ name: 'i', state: { terminated: { exitCode: 1, reason: 'Error' } } }],
      containerStatuses: [{ name: 'c', state: { waiting: { reason: 'PodInitializing' } }, ready: false }],
    });
    expect((status['conditions'] as { type: string; status: string }[]).find((c) => c.type === 'Initialized')?.status).toBe('False');
  });
});
