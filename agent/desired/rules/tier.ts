// Tier: an ordered group of policies with a default action for traffic no policy decided.
import { didYouMean } from '../did-you-mean.js';
import type { DocumentView } from '../document.js';
import { error, metadata, spec, type Rule } from './helpers.js';

const DEFAULT_ACTIONS = ['Deny', 'Pass'] as const;

function defaultAction(doc: DocumentView): void {
  const value = spec(doc)['defaultAction'];
  if (typeof value === 'string' && !(DEFAULT_ACTIONS as readonly string[]).includes(value)) {
    error(doc, ['spec', 'defaultAction'], 'tier', `defaultAction "${value}" must be Deny or Pass${didYouMean(value, DEFAULT_ACTIONS)}`);
  }
}

interface StaticTier {
  readonly name: string;
  readonly order: number;
  /** Calico versions that fix this tier's order, as [from, to) minor versions of 3.x. */
  readonly minors: readonly [number, number];
}

/**
 * Tiers whose order Calico fixes (libcalico-go lib/validator/v3/validator.go validateTier:
 * :1558-1580 at v3.29, :1704-1738 at v3.31, :1765-1799 at v3.32; api tier.go:40-42 at v3.31,
 * :48-50 at v3.32). v3.32 renamed the admin tiers for ClusterNetworkPolicy; v3.33 keeps the rule
 * as a CRD check (api tier.go XValidation).
 */
const STATIC_TIERS: readonly StaticTier[] = [
  { name: 'default', order: 1_000_000, minors: [0, Infinity] },
  { name: 'adminnetworkpolicy', order: 1_000, minors: [29, 32] },
  { name: 'baselineadminnetworkpolicy', order: 10_000_000, minors: [30, 32] },
  { name: 'kube-admin', order: 1_000, minors: [32, Infinity] },
  { name: 'kube-baseline', order: 10_000_000, minors: [32, Infinity] },
];

/** What Calico fills in for an absent order before validating (lib/resources/tier.go:27-30). */
const DEFAULTED_ORDER = 1_000_000;

function staticTierOrder(doc: DocumentView): void {
  const name = metadata(doc)['name'];
  const v = doc.calicoVersion;
  const minor = v.major > 3 ? Infinity : v.minor;
  const fixed = STATIC_TIERS.find((t) => t.name === name && minor >= t.minors[0] && minor < t.minors[1]);
  if (!fixed) return;
  const written = spec(doc)['order'];
  const order = written === undefined || written === null ? DEFAULTED_ORDER : written;
  if (order === fixed.order) return;
  const absent = order === DEFAULTED_ORDER && written !== DEFAULTED_ORDER;
  error(
    doc,
    absent ? ['metadata', 'name'] : ['spec', 'order'],
    'tier',
    `the ${fixed.name} tier's order must be ${fixed.order}${absent ? ` (without an order Calico fills in ${DEFAULTED_ORDER})` : ''}`,
  );
}

export const tierRules: readonly Rule[] = [defaultAction, staticTierOrder];
