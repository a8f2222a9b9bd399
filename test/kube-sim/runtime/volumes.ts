// ConfigMap volumes as a container sees them: each mounted volume's keys become files under the
// mount path (or only `items`, at their `path`), `subPath` mounts one file. Other volume types
// (emptyDir, projected service-account tokens) mount as empty directories.
import path from 'node:path';

export interface MountedFiles {
  readFile(file: string): string | undefined;
  /** Every file with its absolute path inside the container. */
  files(): readonly { path: string; content: string }[];
  /** Mount points of the container, longest first (for rewriting paths). */
  mountPaths(): readonly string[];
}

export interface ConfigMapVolume {
  readonly volume: string;
  readonly configMap: string;
  readonly optional: boolean;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

/** The ConfigMaps a pod's volumes reference, in volume order. */
export function configMapVolumes(podSpec: Record<string, unknown>): ConfigMapVolume[] {
  const out: ConfigMapVolume[] = [];
  for (const v of list(podSpec['volumes'])) {
    const cm = obj(v['configMap']);
    if (typeof cm['name'] === 'string') out.push({ volume: String(v['name'] ?? ''), configMap: cm['name'], optional: cm['optional'] === true });
  }
  return out;
}

/** Files of one volume, relative to its root. */
function volumeFiles(volume: Record<string, unknown>, data: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!data) return files;
  const items = list(obj(volume['configMap'])['items']);
  if (items.length === 0) {
    for (const [key, content] of Object.entries(data)) files.set(key, content);
    return files;
  }
  for (const item of items) {
    const key = String(item['key'] ?? '');
    const content = data[key];
    if (content !== undefined) files.set(String(item['path'] ?? key), content);
  }
  return files;
}

export function mountFiles(o: {
  podSpec: Record<string, unknown>;
  container: Record<string, unknown>;
  /** ConfigMap data by name, as read by the kubelet (absent = missing optional map). */
  configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
}): MountedFiles {
  const volumes = new Map(list(o.podSpec['volumes']).map((v) => [String(v['name'] ?? ''), v]));
  const files = new Map<string, string>();
  const mounts: string[] = [];
  for (const m of list(o.container['volumeMounts'])) {
    const volume = volumes.get(String(m['name'] ?? ''));
    const mountPath = path.posix.normalize(String(m['mountPath'] ?? '/')).replace(/(.)\/+$/, '$1');
    if (!volume) continue;
    mounts.push(mountPath);
    const cmName = obj(volume['configMap'])['name'];
    const inVolume = volumeFiles(volume, typeof cmName === 'string' ? o.configMaps.get(cmName) : undefined);
    const subPath = typeof m['subPath'] === 'string' && m['subPath'] !== '' ? path.posix.normalize(m['subPath']) : undefined;
    if (subPath !== undefined) {
      const content = inVolume.get(subPath);
      if (content !== undefined) files.set(mountPath, content);
      continue;
    }
    for (const [rel, content] of inVolume) files.set(path.posix.join(mountPath, rel), content);
  }
  mounts.sort((a, b) => b.length - a.length);
  return {
    readFile: (file) => files.get(path.posix.normalize(file.startsWith('/') ? file : `/${file}`)),
    files: () => [...files].map(([p, content]) => ({ path: p, content })),
    mountPaths: () => mounts,
  };
}
