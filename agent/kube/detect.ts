// Cluster detection at start (DESIGN.md, CALICO.md "Storage"): the Calico version from
// ClusterInformation `default` and the API mode from discovery.
import { CALICO_CRD_GROUP, CALICO_CRD_VERSION } from '../domain/kinds.js';
import { parseCalicoVersion, type ApiMode, type CalicoVersion } from '../domain/calico-version.js';
import { KubeError } from '../domain/errors.js';
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';

export const CALICO_V3_GROUP = 'projectcalico.org';

export interface ClusterInfo {
  readonly calicoVersion: CalicoVersion;
  readonly apiMode: ApiMode;
  /** Where Calico resources are read: `crd.projectcalico.org/v1` or `projectcalico.org/v3`. */
  readonly group: string;
  readonly version: string;
}

/** Pure: both groups → Calico API server over v1 CRDs; only v3 → native v3 CRDs; only crd → calicoctl needed. */
export function apiModeFromGroups(groups: readonly string[]): ApiMode | undefined {
  const v3 = groups.includes(CALICO_V3_GROUP);
  const crd = groups.includes(CALICO_CRD_GROUP);
  if (v3 && crd) return 'apiserver';
  if (v3) return 'native-v3';
  if (crd) return 'crd';
  return undefined;
}

/** The API server or native v3 CRDs serve projectcalico.org/v3 (what `--executor api` writes to). */
export function servesCalicoV3(apiMode: ApiMode): boolean {
  return apiMode !== 'crd';
}

/** Where the live reader lists Calico kinds in a given mode. */
export function storageFor(apiMode: ApiMode): { group: string; version: string } {
  return apiMode === 'crd' ? { group: CALICO_CRD_GROUP, version: CALICO_CRD_VERSION } : { group: CALICO_V3_GROUP, version: 'v3' };
}

export interface DetectOptions {
  /** Used instead of ClusterInformation (config `calicoVersion`). */
  readonly calicoVersionOverride?: CalicoVersion;
}

export async function detectCluster(clients: KubeClients, options: DetectOptions = {}): Promise<ClusterInfo> {
  let groups: string[];
  try {
    const list = await clients.apis.getAPIVersions();
    groups = list.groups.map((g) => g.name);
  } catch (err) {
    throw toKubeError(err, { action: 'API discovery', server: clients.server });
  }
  const apiMode = apiModeFromGroups(groups);
  if (!apiMode) {
    throw new KubeError('Calico is not installed: the cluster serves neither crd.projectcalico.org nor projectcalico.org', { status: 404, reason: 'NotFound' });
  }
  const storage = apiMode === 'native-v3' ? storageFor(apiMode) : { group: CALICO_CRD_GROUP, version: CALICO_CRD_VERSION };
  const calicoVersion = options.calicoVersionOverride ?? (await readCalicoVersion(clients, storage));
  return { calicoVersion, apiMode, ...storageFor(apiMode) };
}

async function readCalicoVersion(clients: KubeClients, storage: { group: string; version: string }): Promise<CalicoVersion> {
  let info: unknown;
  try {
    info = await clients.customObjects.getClusterCustomObject({ ...storage, plural: 'clusterinformations', name: 'default' });
  } catch (err) {
    throw toKubeError(err, { action: `read ClusterInformation default (${storage.group}/${storage.version})`, server: clients.server });
  }
  const text = (info as { spec?: { calicoVersion?: unknown } } | undefined)?.spec?.calicoVersion;
  const version = typeof text === 'string' ? parseCalicoVersion(text) : undefined;
  if (!version) {
    throw new KubeError(`ClusterInformation default has no usable spec.calicoVersion (${JSON.stringify(text ?? null)}); set --calico-version`, {
      status: 422,
      reason: 'Invalid',
    });
  }
  return version;
}
