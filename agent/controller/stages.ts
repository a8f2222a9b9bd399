// The pure stages as the agent composes them (the controller's cycle and `calico-gitops plan`):
// source problems join the validation errors, and the commit trailer and approvals feed the plan.
import type { Stages } from './ports.js';
import { buildDesiredState, withSourceIssues, type DesiredResult } from '../desired/index.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { Snapshot } from '../domain/state.js';
import { buildPlan, parseAllowDeleteTrailer } from '../plan/index.js';

/** What planning needs from the configuration. */
export interface PlanningOptions {
  readonly calicoVersion: CalicoVersion;
  /** Value of the owner annotation. */
  readonly instance: string;
  readonly adopt: boolean;
  readonly deleteBudgetPercent: number;
}

export function stagesFor(o: PlanningOptions): Stages {
  let parseCache: DesiredResult['parsed'] = new Map();
  return {
    buildDesired: (snapshot: Snapshot): DesiredResult => {
      // Unchanged blobs keep their parse from the previous revision (incremental re-parse).
      const result = buildDesiredState({ files: snapshot.files, calicoVersion: o.calicoVersion, parseCache });
      parseCache = result.parsed;
      const issues = snapshot.issues;
      return withSourceIssues(result, issues ? [...issues.errors, ...issues.warnings] : []);
    },
    buildPlan: ({ snapshot, desired, live, approved }) => {
      const allowDeletes = parseAllowDeleteTrailer(snapshot.message);
      return buildPlan({
        desired,
        live,
        revision: snapshot.revision,
        instance: o.instance,
        adopt: o.adopt,
        deleteBudgetPercent: o.deleteBudgetPercent,
        approved,
        ...(allowDeletes === undefined ? {} : { allowDeletes }),
      });
    },
  };
}
