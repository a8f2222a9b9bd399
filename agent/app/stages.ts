// The pure stages as the controller calls them: source problems join the validation errors, and the
// commit trailer and approvals feed the plan.
import type { Config } from '../config/config.js';
import type { Stages } from '../controller/ports.js';
import { buildDesiredState, withSourceIssues, type DesiredResult } from '../desired/index.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { SourceSnapshot } from '../domain/source-snapshot.js';
import type { Snapshot } from '../domain/state.js';
import { buildPlan, parseAllowDeleteTrailer } from '../plan/index.js';

export function stagesFor(input: { config: Config; calicoVersion: CalicoVersion }): Stages {
  const { config, calicoVersion } = input;
  let parseCache: DesiredResult['parsed'] = new Map();
  return {
    buildDesired: (snapshot: Snapshot): DesiredResult => {
      // Unchanged blobs keep their parse from the previous revision (incremental re-parse).
      const result = buildDesiredState({ files: snapshot.files, calicoVersion, parseCache });
      parseCache = result.parsed;
      const problems = (snapshot as Partial<SourceSnapshot>).problems;
      return withSourceIssues(result, problems ? [...problems.errors, ...problems.warnings] : []);
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
