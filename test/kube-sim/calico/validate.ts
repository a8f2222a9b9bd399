// The emulated calicoctl validates with the project's own validator (agent/desired), the way the
// real one runs libcalico-go's validator before every write. This file is the only place that knows
// the validator's shape, so the calicoctl emulation stays unchanged when it evolves.
// TEMPORARY: agent/desired's buildDesiredState/normalizeManifest are being written in parallel;
// until they land this adapter applies only Calico's `types` defaulting and validates nothing.
import type { CalicoVersion, Issue, JsonObject, JsonValue, KindId, Manifest } from '../../../agent/domain/index.js';

export interface ValidationPort {
  /** Every error of one file (all documents at once), with 1-based lines. */
  validateFile(o: { path: string; content: string; version: CalicoVersion }): readonly Issue[];
  /** Calico's defaulting, as read-back would show it. */
  normalize(kindId: KindId, manifest: Manifest): Manifest;
}

function hasRules(spec: JsonObject, key: string): boolean {
  const rules: JsonValue | undefined = spec[key];
  return Array.isArray(rules) && rules.length > 0;
}

function defaultTypes(kindId: KindId, manifest: Manifest): Manifest {
  const policy = kindId === 'NetworkPolicy' || kindId === 'GlobalNetworkPolicy' || kindId === 'StagedNetworkPolicy' || kindId === 'StagedGlobalNetworkPolicy';
  const types = manifest.spec['types'];
  if (!policy || (Array.isArray(types) && types.length > 0)) return manifest;
  const ingress = hasRules(manifest.spec, 'ingress');
  const egress = hasRules(manifest.spec, 'egress');
  const defaulted = egress && !ingress ? ['Egress'] : egress ? ['Ingress', 'Egress'] : ['Ingress'];
  return { ...manifest, spec: { ...manifest.spec, types: defaulted } };
}

export const projectValidator: ValidationPort = {
  validateFile: () => [],
  normalize: defaultTypes,
};
