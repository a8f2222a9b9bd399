// What a selector sees of an endpoint or network set: its labels plus the labels Calico adds
// (projectcalico.org/namespace, /orchestrator, /serviceaccount), its namespace's labels and its
// service account's labels (Calico's pcns./pcsa. prefixes, kept apart here).
import { matchesLabels, type SelectorNode } from '../desired/selector/index.js';

export interface LabelSubject {
  readonly labels: Readonly<Record<string, string>>;
  /** Absent for host endpoints and global network sets. */
  readonly namespace?: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Only workload endpoints have one. */
  readonly serviceAccount?: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  /** True for network sets: they have no service account and are not pods. */
  readonly isNetworkSet: boolean;
}

/**
 * The positive half of an entity match, as Calico compiles it (updateprocessors/rules.go,
 * getEndpointSelector): the namespace scope is added as soon as any selector field is used.
 */
export interface ScopedSelector {
  /** `projectcalico.org/namespace == ns` of a namespaced policy without namespaceSelector. */
  readonly namespace?: string;
  /** A namespaceSelector: `global` selects only non-namespaced objects. */
  readonly namespaceSelector?: SelectorNode;
  readonly selector?: SelectorNode;
  readonly serviceAccountNames?: readonly string[];
  readonly serviceAccountSelector?: SelectorNode;
}

export function matchesScoped(s: ScopedSelector, subject: LabelSubject): boolean {
  if (s.namespaceSelector) {
    if (s.namespaceSelector.type === 'global') {
      if (subject.namespace !== undefined) return false;
    } else if (subject.namespace === undefined || !matchesLabels(s.namespaceSelector, subject.namespaceLabels ?? {})) return false;
  } else if (s.namespace !== undefined && subject.namespace !== s.namespace) return false;
  if (s.serviceAccountNames || s.serviceAccountSelector) {
    const sa = subject.serviceAccount;
    if (!sa) return false;
    if (s.serviceAccountNames && !s.serviceAccountNames.includes(sa.name)) return false;
    if (s.serviceAccountSelector && !matchesLabels(s.serviceAccountSelector, sa.labels)) return false;
  }
  return s.selector ? matchesLabels(s.selector, subject.labels) : true;
}
