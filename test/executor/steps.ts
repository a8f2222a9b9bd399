// Builders for plan steps used by the executor tests.
import { contentHash, KINDS, OWNER_ANNOTATION, resourceKey, type KindId, type Manifest, type PlanStep, type StepAction } from '../../agent/domain/index.js';

export function manifestFor(kindId: KindId, name: string, namespace?: string, spec: Manifest['spec'] = {}): Manifest {
  const info = KINDS[kindId];
  return {
    apiVersion: info.apiVersion,
    kind: info.kind,
    metadata: { name, ...(namespace ? { namespace } : {}), annotations: { [OWNER_ANNOTATION]: 'calico-gitops' } },
    spec,
  };
}

export function step(action: StepAction, kindId: KindId, name: string, namespace?: string, spec?: Manifest['spec']): PlanStep {
  const manifest = manifestFor(kindId, name, namespace, spec);
  return { action, kindId, key: resourceKey(kindId, namespace, name), manifest, hash: contentHash(manifest.spec) };
}
