// Which images the executor pod runs. calicoctl refuses to work when its version differs from the
// cluster's (patch level included), so its tag follows the cluster unless configured.
import { atLeast, formatCalicoVersion, type CalicoVersion } from '../domain/calico-version.js';

export const DEFAULT_KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.32.0';

/**
 * `calico/ctl:vX.Y.Z` (Docker Hub) up to v3.30, `quay.io/calico/ctl:vX.Y.Z` from v3.31; from v3.33
 * `calico/ctl` is no longer published and calicoctl ships in the single `quay.io/calico/calico` image.
 */
export function calicoctlImageFor(options: { version: CalicoVersion; override?: string | undefined }): string {
  if (options.override) return options.override;
  const tag = formatCalicoVersion(options.version);
  if (atLeast(options.version, 3, 33)) return `quay.io/calico/calico:${tag}`;
  return atLeast(options.version, 3, 31) ? `quay.io/calico/ctl:${tag}` : `calico/ctl:${tag}`;
}

/** Where calicoctl is in the combined `calico/calico` image (v3.33+), whose entrypoint is not calicoctl. */
export const CALICO_IMAGE_CALICOCTL = '/usr/bin/calicoctl';

/** The container command that runs calicoctl in `image`; undefined when calicoctl is the entrypoint (`calico/ctl`). */
export function calicoctlCommandFor(image: string): readonly string[] | undefined {
  const repository = (image.split('@')[0] ?? image).replace(/:[^:/]*$/, '');
  return repository === 'calico/calico' || repository.endsWith('/calico/calico') ? [CALICO_IMAGE_CALICOCTL] : undefined;
}
