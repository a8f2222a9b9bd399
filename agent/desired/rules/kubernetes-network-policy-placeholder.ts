// Placeholder until rules/kubernetes-network-policy.ts (written in parallel) lands; delete then.
import type { DocumentView } from '../document.js';

export function validateKubernetesNetworkPolicy(doc: DocumentView): void {
  void doc;
}
