// Which images the executor pod runs. calicoctl refuses to work when its version differs from the
// cluster's (patch level included), so its tag follows the cluster unless configured.
import { atLeast, formatCalicoVersion, type CalicoVersion } from '../domain/calico-version.js';

export const DEFAULT_KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.32.0';

/** `calico/ctl:vX.Y.Z` (Docker Hub) up to v3.30, `quay.io/calico/ctl:vX.Y.Z` from v3.31. */
export function calicoctlImageFor(options: { version: CalicoVersion; override?: string | undefined }): string {
  if (options.override) return options.override;
  const tag = formatCalicoVersion(options.version);
  return atLeast(options.version, 3, 31) ? `quay.io/calico/ctl:${tag}` : `calico/ctl:${tag}`;
}
