// Which container images the simulator can run. Images are recognised by repository name; the tag
// only matters for calicoctl, whose version is its tag (`quay.io/calico/ctl:v3.31.2` is v3.31.2).

export type EmulatedImage =
  | { readonly kind: 'calicoctl'; readonly repository: string; readonly version: string }
  | { readonly kind: 'kubectl'; readonly repository: string; readonly version: string };

const CALICOCTL_REPOS = ['quay.io/calico/ctl', 'calico/ctl', 'docker.io/calico/ctl'];
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
  if (CALICOCTL_REPOS.includes(repository)) return { kind: 'calicoctl', repository, version: tag };
  if (KUBECTL_REPOS.includes(repository)) return { kind: 'kubectl', repository, version: tag };
  return undefined;
}

export function notEmulatedMessage(image: string): string {
  return `image "${image}" is not emulated by kube-sim (emulated: calicoctl quay.io/calico/ctl or calico/ctl, kubectl registry.k8s.io/kubectl or bitnami/kubectl)`;
}

/** Both emulated images have their tool as the entrypoint; `command` may name it again. */
export function entrypointArgv(o: { tool: 'calicoctl' | 'kubectl'; command?: readonly string[]; args?: readonly string[] }): { ok: true; argv: string[] } | { ok: false; message: string } {
  const args = [...(o.args ?? [])];
  if (!o.command || o.command.length === 0) return { ok: true, argv: args };
  const [exe, ...rest] = o.command;
  const base = (exe ?? '').split('/').pop();
  if (base !== o.tool) {
    return { ok: false, message: `exec: "${exe ?? ''}": executable file not found in $PATH` };
  }
  return { ok: true, argv: [...rest, ...args] };
}
