// The pure stages as the controller calls them: source problems join the validation errors, and the
// commit trailer and approvals feed the plan.
import type { Config } from '../config/config.js';
import type { Stages } from '../controller/ports.js';
import { buildDesiredState, type DesiredResult } from '../desired/index.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import { compareIssues } from '../domain/issue.js';
import type { SourceSnapshot } from '../domain/source-snapshot.js';
import type { Snapshot } from '../domain/state.js';
import { buildPlan, parseAllowDeleteTrailer } from '../plan/index.js';

export function stagesFor(input: { config: Config; calicoVersion: CalicoVersion }): Stages {
  const { config, calicoVersion } = input;
  return {
    buildDesired: (snapshot: Snapshot): DesiredResult => {
      const result = buildDesiredState({ files: snapshot.files, calicoVersion });
      const problems = (snapshot as Partial<SourceSnapshot>).problems;
      if (!problems || (problems.errors.length === 0 && problems.warnings.length === 0)) return result;
      const errors = [...problems.errors, ...result.errors].sort(compareIssues);
      return {
        state: errors.length > 0 ? { resources: new Map() } : result.state,
        errors,
        warnings: [...problems.warnings, ...result.warnings].sort(compareIssues),
      };
    },
    buildPlan: ({ snapshot, desired, live, approved }) => {
      const allowDeletes = parseAllowDeleteTrailer(snapshot.message);
      return buildPlan({
        desired,
        live,
        revision: snapshot.revision,
        instance: config.instance,
        adopt: config.adopt,
        deleteBudgetPercent: config.deleteBudget,
        approved,
        ...(allowDeletes === undefined ? {} : { allowDeletes }),
      });
    },
  };
}
