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

/** Calico fixes the order of its own default tier. */
const DEFAULT_TIER_ORDER = 1_000_000;

function defaultTierOrder(doc: DocumentView): void {
  if (metadata(doc)['name'] !== 'default') return;
  const order = spec(doc)['order'];
  if (order !== DEFAULT_TIER_ORDER) {
    error(doc, order === undefined || order === null ? ['metadata', 'name'] : ['spec', 'order'], 'tier', `the default tier's order must be ${DEFAULT_TIER_ORDER}`);
  }
}

export const tierRules: readonly Rule[] = [defaultAction, defaultTierOrder];
