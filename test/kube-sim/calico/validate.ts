// The emulated calicoctl validates with the project's own validator (agent/desired), the way the
// real one runs libcalico-go's validator before every write. This file is the only place that knows
// the validator's shape, so the calicoctl emulation stays unchanged when it evolves.
import type { CalicoVersion, Issue, KindId, Manifest } from '../../../agent/domain/index.js';
import { buildDesiredState, normalizeManifest } from '../../../agent/desired/index.js';

export interface ValidationPort {
  /** Every error of one file (all documents at once), with 1-based lines. */
  validateFile(o: { path: string; content: string; version: CalicoVersion }): readonly Issue[];
  /** Calico's defaulting of a spec, as read-back would show it. Metadata is left alone. */
  normalize(kindId: KindId, manifest: Manifest): Manifest;
}

/**
 * Rules of the repository, not of Calico: calicoctl does not have them. A duplicate in one file
 * is simply applied twice; a tier reference is checked against the cluster when the policy is
 * written (resource-ops.ts); a missing namespace means `-n` or `default`, a namespace on a global
 * kind calicoctl's own error (calicoctl.ts, withNamespace).
 */
const REPOSITORY_CODES = new Set(['duplicate', 'tier', 'namespace']);

export const projectValidator: ValidationPort = {
  validateFile(o) {
    const result = buildDesiredState({ files: [{ path: o.path, content: o.content }], calicoVersion: o.version });
    return result.errors.filter((i) => !REPOSITORY_CODES.has(i.code));
  },
  normalize(kindId, manifest) {
    // Only the spec: normalizeManifest also strips annotations (ours, Calico's), which Calico keeps.
    return { ...manifest, spec: normalizeManifest(kindId, manifest).spec };
  },
};
