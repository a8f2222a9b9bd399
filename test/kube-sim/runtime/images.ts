// Which container images the simulator can run. Images are recognised by repository name; the tag
// only matters for calicoctl, whose version is its tag (`quay.io/calico/ctl:v3.31.2` is v3.31.2).
// From v3.33 Calico publishes no `calico/ctl`: calicoctl is `/usr/bin/calicoctl` in the single
// `calico/calico` image, which does not run calicoctl by default.

export type EmulatedImage =
  | {
      readonly kind: 'calicoctl';
      readonly repository: string;
      readonly version: string;
      /** Set when calicoctl is not the entrypoint: the command must name this path. */
      readonly binary?: string;
    }
  | { readonly kind: 'kubectl'; readonly repository: string; readonly version: string };

const CALICOCTL_REPOS = ['quay.io/calico/ctl', 'calico/ctl', 'docker.io/calico/ctl'];
const CALICO_REPOS = ['quay.io/calico/calico', 'calico/calico', 'docker.io/calico/calico'];
export const CALICO_IMAGE_CALICOCTL = '/usr/bin/calicoctl';

/** `v3.33.0` → [3, 33]; anything else → undefined. */
function minor(tag: string): readonly [number, number] | undefined {
  const m = /^v(\d+)\.(\d+)\.\d+/.exec(tag);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
const fromV333 = (tag: string): boolean => {
  const v = minor(tag);
  return v !== undefined && (v[0] > 3 || (v[0] === 3 && v[1] >= 33));
};
const KUBECTL_REPOS = ['registry.k8s.io/kubectl', 'bitnami/kubectl', 'docker.io/bitnami/kubectl'];

/** Splits `registry:5000/repo/name:tag@sha256:...` into repository and tag (`latest` when absent). */
export function parseImageRef(image: string): { repository: string; tag: string } {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon > lastSlash) return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { repository: withoutDigest, tag: 'latest' };
}

export function emulatedImage(image: string): EmulatedImage | undefined {
  const { repository, tag } = parseImageRef(image.trim());
  if (CALICOCTL_REPOS.includes(repository)) return fromV333(tag) ? undefined : { kind: 'calicoctl', repository, version: tag };
  if (CALICO_REPOS.includes(repository) && fromV333(tag)) return { kind: 'calicoctl', repository, version: tag, binary: CALICO_IMAGE_CALICOCTL };
  if (KUBECTL_REPOS.includes(repository)) return { kind: 'kubectl', repository, version: tag };
  return undefined;
}

export function notEmulatedMessage(image: string): string {
  const { repository, tag } = parseImageRef(image.trim());
  if (CALICOCTL_REPOS.includes(repository) && fromV333(tag)) return `manifest for ${image} not found: manifest unknown (calico/ctl is not published from v3.33; calicoctl ships in calico/calico)`;
  if (CALICO_REPOS.includes(repository)) return `image "${image}" is not emulated by kube-sim (calico/calico is emulated from v3.33, as the image that carries calicoctl)`;
  return `image "${image}" is not emulated by kube-sim (emulated: calicoctl quay.io/calico/ctl or calico/ctl, kubectl registry.k8s.io/kubectl or bitnami/kubectl)`;
}

/**
 * `calico/ctl` and kubectl have their tool as the entrypoint (`command` may name it again);
 * `calico/calico` runs calicoctl only when the command names its path.
 */
export function entrypointArgv(o: { tool: 'calicoctl' | 'kubectl'; binary?: string; command?: readonly string[]; args?: readonly string[] }): { ok: true; argv: string[] } | { ok: false; message: string } {
  const args = [...(o.args ?? [])];
  if (o.binary !== undefined) {
    const [exe, ...rest] = o.command ?? [];
    if (exe === o.binary || exe === 'calicoctl') return { ok: true, argv: [...rest, ...args] };
    return { ok: false, message: exe === undefined ? `this image does not run calicoctl by default: set command: ["${o.binary}"]` : `exec: "${exe}": executable file not found in $PATH` };
  }
  if (!o.command || o.command.length === 0) return { ok: true, argv: args };
  const [exe, ...rest] = o.command;
  const base = (exe ?? '').split('/').pop();
  if (base !== o.tool) {
    return { ok: false, message: `exec: "${exe ?? ''}": executable file not found in $PATH` };
  }
  return { ok: true, argv: [...rest, ...args] };
}
