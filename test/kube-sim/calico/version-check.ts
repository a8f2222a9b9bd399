// calicoctl's client/cluster version check (commands/common/version_mismatch.go): exact match of
// major.minor.patch between the binary and ClusterInformation `default` spec.calicoVersion, with
// everything after a `-` ignored; skipped when the object or the field is absent.
import { CALICO_CRD_GROUP, CALICO_CRD_VERSION } from '../../../agent/domain/index.js';
import { fromResponse } from './ctl-errors.js';
import type { KubeApi } from './kube-api.js';

/** `v3.31.2-0.dev` -> `3.31.2`: what calicoctl compares. */
export function comparableVersion(text: string): string {
  return (text.startsWith('v') ? text.slice(1) : text).split('-')[0] ?? '';
}

export function mismatchMessage(clientVersion: string, clusterVersion: string): string {
  return `Version mismatch.\nClient Version:   ${clientVersion}\nCluster Version:  ${comparableVersion(clusterVersion)}\nUse --allow-version-mismatch to override.\n`;
}

export function unreachableMessage(cause: string): string {
  return `Unable to get Cluster Information to verify version mismatch: ${cause}\nUse --allow-version-mismatch to override.\n`;
}

export async function readClusterVersion(api: KubeApi): Promise<{ ok: true; version: string | undefined } | { ok: false; message: string }> {
  const res = await api.request({ method: 'GET', path: `/apis/${CALICO_CRD_GROUP}/${CALICO_CRD_VERSION}/clusterinformations/default` });
  if (res.status === 404) return { ok: true, version: undefined };
  if (res.status !== 200) return { ok: false, message: fromResponse(res, 'ClusterInformation(default)', 'get').message };
  const spec = (res.body as Record<string, unknown>)['spec'] as Record<string, unknown> | undefined;
  const version = spec?.['calicoVersion'];
  return { ok: true, version: typeof version === 'string' && version !== '' ? version : undefined };
}

/** Undefined when the check passes (or is skipped), else the error calicoctl exits with. */
export async function checkVersionMismatch(o: { api: KubeApi; clientVersion: string }): Promise<string | undefined> {
  const cluster = await readClusterVersion(o.api);
  if (!cluster.ok) return unreachableMessage(cluster.message);
  if (cluster.version === undefined) return undefined;
  return comparableVersion(cluster.version) === comparableVersion(o.clientVersion) ? undefined : mismatchMessage(o.clientVersion, cluster.version);
}
