// The rule list of each kind (changesets style: small functions, each pushing issues).
import type { KindId, KindInfo } from '../../domain/index.js';
import type { DocumentView } from '../document.js';
import { obj, type Rule } from './helpers.js';
import { hostEndpointRules } from './host-endpoint.js';
import { validateKubernetesNetworkPolicy } from './kubernetes-network-policy.js';
import { metadataRules } from './metadata.js';
import { networkSetRules } from './network-set.js';
import { policyRules, stagedAction } from './policy.js';
import { tierRules } from './tier.js';

export type { Rule } from './helpers.js';

/** StagedKubernetesNetworkPolicy is a Kubernetes spec plus `stagedAction`. */
const stagedKubernetes: Rule = (doc) => {
  const spec = obj(doc.value['spec']);
  if (!spec) return validateKubernetesNetworkPolicy(doc);
  const { stagedAction: _ignored, ...rest } = spec;
  void _ignored;
  const view: DocumentView = {
    file: doc.file,
    document: doc.document,
    calicoVersion: doc.calicoVersion,
    value: { ...doc.value, spec: rest },
    lineOf: (path, options) => doc.lineOf(path, options),
    report: (report) => doc.report(report),
  };
  validateKubernetesNetworkPolicy(view);
};

const SPEC_RULES: Readonly<Record<KindId, readonly Rule[]>> = {
  NetworkPolicy: policyRules({ global: false, staged: false }),
  StagedNetworkPolicy: policyRules({ global: false, staged: true }),
  GlobalNetworkPolicy: policyRules({ global: true, staged: false }),
  StagedGlobalNetworkPolicy: policyRules({ global: true, staged: true }),
  NetworkSet: networkSetRules,
  GlobalNetworkSet: networkSetRules,
  HostEndpoint: hostEndpointRules,
  Tier: tierRules,
  KubernetesNetworkPolicy: [validateKubernetesNetworkPolicy],
  StagedKubernetesNetworkPolicy: [stagedKubernetes, stagedAction],
};

const cache = new Map<KindId, readonly Rule[]>();

export function rulesFor(kind: KindInfo): readonly Rule[] {
  let rules = cache.get(kind.id);
  if (!rules) {
    rules = [...metadataRules(kind), ...SPEC_RULES[kind.id]];
    cache.set(kind.id, rules);
  }
  return rules;
}
