// The `impact` commit status of a revision, from its assessment: the connections it opens and
// closes (and the intents it breaks), linking to the page with the whole table. Written through
// `summarize` only, like validate and apply.
import type { ImpactAssessment, StatusKind, StatusState } from './ports.js';

export interface ImpactStatus {
  readonly kind: StatusKind;
  readonly state: StatusState;
  readonly description: string;
  readonly targetUrl?: string;
}

export function impactStatus(impact: ImpactAssessment): ImpactStatus {
  if (!impact.ok) return { kind: 'impact', state: 'error', description: `not computed: ${impact.message}` };
  return {
    kind: 'impact',
    // Informational unless an intent breaks (the validate status fails for the same reason).
    state: impact.intentsViolated > 0 ? 'failure' : 'success',
    description: impact.description,
    ...(impact.url ? { targetUrl: impact.url } : {}),
  };
}
