// Tier: an ordered group of policies with a default action for traffic no policy decided.
import { didYouMean } from '../did-you-mean.js';
import type { DocumentView } from '../document.js';
import { error, spec, type Rule } from './helpers.js';

const DEFAULT_ACTIONS = ['Deny', 'Pass'] as const;

function defaultAction(doc: DocumentView): void {
  const value = spec(doc)['defaultAction'];
  if (typeof value === 'string' && !(DEFAULT_ACTIONS as readonly string[]).includes(value)) {
    error(doc, ['spec', 'defaultAction'], 'tier', `defaultAction "${value}" must be Deny or Pass${didYouMean(value, DEFAULT_ACTIONS)}`);
  }
}

export const tierRules: readonly Rule[] = [defaultAction];
