// Wires the three job kinds to their processors with one set of ports.
import { processHeal, processSync, processUninstall, type ProcessDeps } from './process-sync.js';
import type { Processors } from './worker.js';

export function planProcessors(deps: ProcessDeps): Processors {
  return {
    sync: (job, signal) => processSync({ ...deps, job, ...(signal ? { signal } : {}) }),
    heal: (job, signal) => processHeal({ ...deps, job, ...(signal ? { signal } : {}) }),
    uninstall: (job, signal) => processUninstall({ ...deps, job, ...(signal ? { signal } : {}) }),
  };
}
