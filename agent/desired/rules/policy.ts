// Policy-level rules shared by NetworkPolicy, GlobalNetworkPolicy and their staged forms.
import { atLeast, requiresTierPrefixedNames } from '../../domain/index.js';
import { didYouMean } from '../did-you-mean.js';
import type { DocumentView } from '../document.js';
import { checkRule } from './calico-rule.js';
import { error, list, metadata, spec, text, warning, type Rule } from './helpers.js';
import { checkListLimit, V333 } from './limits-v333.js';
import { checkSelector } from './selector-field.js';

const SPEC = ['spec'] as const;
const TYPES = ['Ingress', 'Egress'] as const;
const STAGED_ACTIONS = ['Set', 'Delete', 'Learn', 'Ignore'] as const;
const PERFORMANCE_HINTS = ['AssumeNeededOnEveryNode'] as const;

function types(doc: DocumentView): void {
  const seen = new Set<string>();
  const s = spec(doc);
  list(s['types']).forEach((t, i) => {
    if (typeof t !== 'string') return;
    if (!(TYPES as readonly string[]).includes(t)) error(doc, ['spec', 'types', i], 'types', `type "${t}" must be Ingress or Egress${didYouMean(t, TYPES)}`);
    else if (seen.has(t)) error(doc, ['spec', 'types', i], 'types', `type "${t}" is listed twice`);
    seen.add(t);
  });
  if (seen.size === 0) return;
  for (const [field, type] of [['ingress', 'Ingress'], ['egress', 'Egress']] as const) {
    if (list(s[field]).length > 0 && !seen.has(type)) {
      warning(doc, ['spec', field], 'types', `${field} rules have no effect: types does not include ${type}`);
    }
  }
}

function selectors(doc: DocumentView): void {
  const s = spec(doc);
  checkSelector(doc, SPEC, 'selector', s['selector'], 'endpoint');
  checkSelector(doc, SPEC, 'serviceAccountSelector', s['serviceAccountSelector'], 'service-account');
}

function rules(global: boolean): Rule {
  return (doc) => {
    const s = spec(doc);
    list(s['ingress']).forEach((r, i) => checkRule(doc, ['spec', 'ingress', i], r, { direction: 'ingress', global }));
    list(s['egress']).forEach((r, i) => checkRule(doc, ['spec', 'egress', i], r, { direction: 'egress', global }));
  };
}

const DEFAULT_PREFIX = 'default.';
/** Names Calico takes as already tier-formatted (libcalico-go lib/names/policy.go:180, policyNameIsFormatted). */
const FORMATTED_PREFIXES = ['knp.default.', 'kanp.adminnetworkpolicy.', 'kbanp.baselineadminnetworkpolicy.', 'ossg.'] as const;
/** Kubernetes' limit on the CRD object name (DNS-1123 subdomain). */
const MAX_STORED_NAME = 253;

/**
 * Policy names and tiers, version by version (CALICO.md, "Names"; libcalico-go lib/names/policy.go
 * and lib/clientv3/networkpolicy.go:66 at v3.30/v3.31, :70-75 BackendTieredPolicyName at v3.29):
 *  - v3.29–v3.31: a policy in tier T other than default is named `T.<name>`; a default-tier
 *    name with a dot must start with `default.` (ValidateTieredPolicyName, policy.go:107-129).
 *  - `default.<name>` in the default tier: accepted everywhere, but only from v3.30 does Calico
 *    keep the written name (lib/backend/k8s/resources/resources.go:147-155 stores it in the
 *    metadata annotation); v3.29 and older read it back as `<name>`, so the repository and the
 *    cluster would never agree and we refuse it there.
 *  - up to v3.31 a default-tier policy is stored as `default.<name>` (resources.go:195-209,
 *    TieredPolicyName), and that object name may not exceed 253 characters.
 */
function tierPrefix(doc: DocumentView): void {
  const tier = text(spec(doc)['tier']) || 'default';
  const name = text(metadata(doc)['name']);
  if (!name) return;
  const path = ['metadata', 'name'];
  const v = doc.calicoVersion;
  if (tier === 'default' && name.startsWith(DEFAULT_PREFIX) && name.length > DEFAULT_PREFIX.length && !atLeast(v, 3, 30)) {
    error(doc, path, 'tier-prefix', `Calico before v3.30 reads a policy named "${name}" back as "${name.slice(DEFAULT_PREFIX.length)}"; name it "${name.slice(DEFAULT_PREFIX.length)}"`);
    return;
  }
  if (!atLeast(v, 3, 32)) {
    const stored = tier === 'default' && !name.includes('.') ? `${DEFAULT_PREFIX}${name}` : name;
    if (stored.length > MAX_STORED_NAME) {
      error(
        doc,
        path,
        'name',
        `Calico before v3.32 stores this policy as "default.<name>", which may be at most ${MAX_STORED_NAME} characters: the name may have at most ${MAX_STORED_NAME - DEFAULT_PREFIX.length}, it has ${name.length}`,
      );
    }
  }
  if (!requiresTierPrefixedNames(v) || FORMATTED_PREFIXES.some((p) => name.startsWith(p))) return;
  if (tier === 'default') {
    // Names with more dots are refused by the name rule already (metadata.ts).
    if (name.split('.').length === 2 && !name.startsWith(DEFAULT_PREFIX)) {
      error(doc, path, 'tier-prefix', `in Calico v3.29-v3.31 a default-tier policy name may contain a dot only after "default." ("default.${name.split('.').pop() ?? name}"); calicoctl: Incorrectly formatted policy name ${name}`);
    }
    return;
  }
  if (!name.startsWith(`${tier}.`)) {
    error(
      doc,
      path,
      'tier-prefix',
      `in Calico v3.29-v3.31 a policy in tier "${tier}" must be named "${tier}.<name>" (e.g. "${tier}.${name.split('.').pop() ?? name}")`,
    );
  }
}

export function stagedAction(doc: DocumentView): void {
  const s = spec(doc);
  const value = s['stagedAction'];
  // `validate:"omitempty,stagedAction"` (api stagednetworkpolicy.go:42): "" is unset.
  if (typeof value === 'string' && value !== '' && !(STAGED_ACTIONS as readonly string[]).includes(value)) {
    error(doc, ['spec', 'stagedAction'], 'staged-action', `stagedAction "${value}" must be one of ${STAGED_ACTIONS.join(', ')}${didYouMean(value, STAGED_ACTIONS)}`);
  }
  if (value === 'Delete') {
    // Staging a deletion stages "no policy": nothing but the tier may be set.
    for (const [key, v] of Object.entries(s)) {
      if (key === 'stagedAction' || key === 'tier' || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0)) continue;
      error(doc, ['spec', key], 'staged-action', `with stagedAction Delete, spec fields other than tier must be empty (found ${key})`);
    }
  }
}

// api networkpolicy.go:120 at v3.31: `validate:"omitempty,unique,dive,oneof=AssumeNeededOnEveryNode"`.
function performanceHints(doc: DocumentView): void {
  const hints = list(spec(doc)['performanceHints']);
  if (hints.length === 0) return;
  const seen = new Set<string>();
  hints.forEach((h, i) => {
    if (typeof h !== 'string') return;
    if (!(PERFORMANCE_HINTS as readonly string[]).includes(h)) {
      error(doc, ['spec', 'performanceHints', i], 'performance-hint', `unknown performance hint "${h}"${didYouMean(h, PERFORMANCE_HINTS)}`);
    } else if (seen.has(h)) error(doc, ['spec', 'performanceHints', i], 'performance-hint', `performance hint "${h}" is listed twice`);
    seen.add(h);
  });
}

function ruleCounts(doc: DocumentView): void {
  const s = spec(doc);
  for (const field of ['ingress', 'egress']) checkListLimit(doc, ['spec', field], s[field], V333.rulesPerDirection, `${field} rules`);
}

/** GlobalNetworkPolicy flags: preDNAT / doNotTrack / applyOnForward combinations. */
function globalFlags(doc: DocumentView): void {
  const s = spec(doc);
  checkSelector(doc, SPEC, 'namespaceSelector', s['namespaceSelector'], 'namespace');
  const preDNAT = s['preDNAT'] === true;
  const doNotTrack = s['doNotTrack'] === true;
  if (preDNAT && doNotTrack) error(doc, ['spec', 'preDNAT'], 'global-flags', 'preDNAT and doNotTrack cannot both be true');
  // The `egress:` key is what has to go, not its first rule.
  if (preDNAT && list(s['egress']).length > 0) doc.report({ path: ['spec', 'egress'], at: 'key', code: 'global-flags', message: 'preDNAT policy cannot have egress rules' });
  if (preDNAT && list(s['types']).includes('Egress')) error(doc, ['spec', 'types'], 'global-flags', 'preDNAT policy cannot have type Egress');
  if ((preDNAT || doNotTrack) && s['applyOnForward'] !== true) {
    error(doc, ['spec', preDNAT ? 'preDNAT' : 'doNotTrack'], 'global-flags', `${preDNAT ? 'preDNAT' : 'doNotTrack'} requires applyOnForward: true`);
  }
}

export function policyRules(o: { global: boolean; staged: boolean }): readonly Rule[] {
  return [
    types,
    selectors,
    rules(o.global),
    ruleCounts,
    tierPrefix,
    performanceHints,
    ...(o.global ? [globalFlags] : []),
    ...(o.staged ? [stagedAction] : []),
  ];
}
