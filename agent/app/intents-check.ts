// The controller's intents gate: a revision's declared intents checked against the policy set the
// cluster would run after applying it, on the cluster's live workloads (the watched cache).
import { analyzeConnectivity } from '../connectivity/analyze.js';
import { policiesAfterApply } from '../connectivity/effective-policies.js';
import { checkIntents, intentCidrs, parseIntents } from '../connectivity/intents.js';
import type { IntentsPort } from '../controller/ports.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { LiveView } from '../domain/state.js';
import type { WorkloadView } from '../live/workload-cache.js';
import { readClusterWorkloads } from '../live/workloads-reader.js';

export function clusterIntentsCheck(o: { workloads: WorkloadView; live: LiveView; calicoVersion: CalicoVersion; instance: string }): IntentsPort {
  return {
    async check({ snapshot, desired }) {
      if (!snapshot.intents) return { errors: [], warnings: [] };
      const parsed = parseIntents(snapshot.intents);
      if (parsed.errors.length > 0) return { errors: parsed.errors, warnings: [] };
      const read = await readClusterWorkloads({ workloads: o.workloads, live: o.live });
      const analysis = analyzeConnectivity({
        policies: policiesAfterApply(desired, o.live.list(), o.instance),
        workloads: read.workloads,
        calicoVersion: o.calicoVersion,
        extraCidrs: intentCidrs(parsed.intents),
      });
      const checked = checkIntents(analysis, parsed.intents);
      return { errors: checked.errors, warnings: [...read.warnings, ...checked.warnings] };
    },
  };
}
