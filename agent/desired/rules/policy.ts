// Policy-level rules shared by NetworkPolicy, GlobalNetworkPolicy and their staged forms.
import { requiresTierPrefixedNames } from '../../domain/index.js';
import { didYouMean } from '../did-you-mean.js';
import type { DocumentView } from '../document.js';
import { checkRule } from './calico-rule.js';
import { error, list, metadata, spec, text, warning, type Rule } from './helpers.js';
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

/** v3.29–v3.31 name policies in a non-default tier `<tier>.<name>` (CALICO.md, "Names"). */
function tierPrefix(doc: DocumentView): void {
  const tier = text(spec(doc)['tier']) ?? 'default';
  const name = text(metadata(doc)['name']);
  if (name && tier === 'default' && name.startsWith('default.') && name.length > 'default.'.length) {
    // Calico hides the default tier's prefix: `default.foo` is stored and read back as `foo`, so
    // the repository and the cluster would never agree on the name.
    error(doc, ['metadata', 'name'], 'tier-prefix', `a policy in the default tier is shown by Calico without the "default." prefix; name it "${name.slice('default.'.length)}"`);
    return;
  }
  if (!name || tier === 'default' || !requiresTierPrefixedNames(doc.calicoVersion)) return;
  if (!name.startsWith(`${tier}.`)) {
    error(
      doc,
      ['metadata', 'name'],
      'tier-prefix',
      `in Calico v3.29-v3.31 a policy in tier "${tier}" must be named "${tier}.<name>" (e.g. "${tier}.${name.split('.').pop() ?? name}")`,
    );
  }
}

export function stagedAction(doc: DocumentView): void {
  const s = spec(doc);
  const value = s['stagedAction'];
  if (typeof value === 'string' && !(STAGED_ACTIONS as readonly string[]).includes(value)) {
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

function performanceHints(doc: DocumentView): void {
  list(spec(doc)['performanceHints']).forEach((h, i) => {
    if (typeof h === 'string' && !(PERFORMANCE_HINTS as readonly string[]).includes(h)) {
      error(doc, ['spec', 'performanceHints', i], 'performance-hint', `unknown performance hint "${h}"${didYouMean(h, PERFORMANCE_HINTS)}`);
    }
  });
}

/** GlobalNetworkPolicy flags: preDNAT / doNotTrack / applyOnForward combinations. */
function globalFlags(doc: DocumentView): void {
  const s = spec(doc);
  checkSelector(doc, SPEC, 'namespaceSelector', s['namespaceSelector'], 'namespace');
  const preDNAT = s['preDNAT'] === true;
  const doNotTrack = s['doNotTrack'] === true;
  if (preDNAT && doNotTrack) error(doc, ['spec', 'preDNAT'], 'global-flags', 'preDNAT and doNotTrack cannot both be true');
  if (preDNAT && list(s['egress']).length > 0) error(doc, ['spec', 'egress'], 'global-flags', 'preDNAT policy cannot have egress rules');
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
    tierPrefix,
    performanceHints,
    ...(o.global ? [globalFlags] : []),
    ...(o.staged ? [stagedAction] : []),
  ];
}
