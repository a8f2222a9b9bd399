// Bookkeeping annotations the agent writes on every object it owns (DESIGN.md, "Ownership").
// Annotations, not labels: Calico selectors match labels on NetworkSets and HostEndpoints.

export const ANNOTATION_PREFIX = 'calico-gitops.io/';
export const OWNER_ANNOTATION = 'calico-gitops.io/owner';
export const REVISION_ANNOTATION = 'calico-gitops.io/revision';
export const SOURCE_ANNOTATION = 'calico-gitops.io/source';
export const SPEC_HASH_ANNOTATION = 'calico-gitops.io/spec-hash';

export const DEFAULT_INSTANCE = 'calico-gitops';

/** On the agent's executor pods and ConfigMaps: the hash of the job they run. */
export const EXECUTOR_JOB_LABEL = 'calico-gitops.io/job';

/** Annotations that are ours and never count as a change to the object. */
export function isBookkeepingAnnotation(key: string): boolean {
  return key.startsWith(ANNOTATION_PREFIX);
}

/** Keys Calico itself adds or keeps (`projectcalico.org/...`); they are not the user's either. */
export function isCalicoManagedKey(key: string): boolean {
  return key.includes('projectcalico.org/') || key.includes('operator.tigera.io/');
}

export function ownerOf(annotations: Readonly<Record<string, string>> | undefined): string | undefined {
  return annotations?.[OWNER_ANNOTATION];
}
