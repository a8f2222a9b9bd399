// Size limits Calico v3.33 adds to policies (CRD schema markers, enforced by the API server on
// the v1 CRDs and by calicoctl's own CRD validation): api/pkg/apis/projectcalico/v3 on the
// release-v3.33 branch, commit a30cddfe90 "Expand CEL XValidation coverage for v3 API types":
// networkpolicy.go:70,76 (ingress/egress MaxItems=1024), policy_common.go:154,214 (nets/notNets
// MaxItems=256), :208,225 (ports/notPorts MaxItems=50), selectors MaxLength=1024
// (networkpolicy.go:105,128, globalnetworkpolicy.go:110,148,152, policy_common.go:173,189,219).
import { atLeast } from '../../domain/index.js';
import type { DocumentView, Path } from '../document.js';
import { MAX_SELECTOR_LENGTH } from '../selector/index.js';

export const V333 = {
  rulesPerDirection: 1024,
  netsPerRule: 256,
  portsPerRule: 50,
  selectorLength: MAX_SELECTOR_LENGTH,
} as const;

export function hasV333Limits(doc: DocumentView): boolean {
  return atLeast(doc.calicoVersion, 3, 33);
}

/** Reports a list longer than `max` on v3.33+. */
export function checkListLimit(doc: DocumentView, path: Path, value: unknown, max: number, what: string): void {
  if (!Array.isArray(value) || value.length <= max || !hasV333Limits(doc)) return;
  doc.report({ path, code: 'limit', message: `${value.length} ${what}, more than the ${max} Calico v3.33+ allows` });
}
