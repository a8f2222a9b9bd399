// Prometheus metrics on a private registry (never the global one: several agents can share a
// process in tests). Names follow DESIGN.md.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface AgentMetrics {
  readonly registry: Registry;
  readonly syncDuration: Histogram<'outcome'>;
  readonly planSteps: Gauge<'action'>;
  readonly stepOutcomes: Counter<'action' | 'outcome'>;
  readonly queueDepth: Gauge<'state'>;
  readonly lastAppliedRevision: Gauge<'revision'>;
  readonly cycles: Counter<'outcome'>;
  readonly driftResources: Gauge<'kind'>;
  readonly driftEpisodes: Counter;
}

export function createMetrics(): AgentMetrics {
  const registry = new Registry();
  const m: AgentMetrics = {
    registry,
    syncDuration: new Histogram({
      name: 'calico_gitops_sync_duration_seconds',
      help: 'Time from job start to verified apply',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    planSteps: new Gauge({ name: 'calico_gitops_plan_steps', help: 'Steps of the last plan by action', labelNames: ['action'], registers: [registry] }),
    stepOutcomes: new Counter({
      name: 'calico_gitops_step_outcomes_total',
      help: 'Applied resource steps by action and outcome',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'calico_gitops_queue_jobs', help: 'Jobs in the queue by state', labelNames: ['state'], registers: [registry] }),
    lastAppliedRevision: new Gauge({
      name: 'calico_gitops_last_applied_revision_info',
      help: 'The last revision applied to the cluster (value 1)',
      labelNames: ['revision'],
      registers: [registry],
    }),
    cycles: new Counter({ name: 'calico_gitops_cycles_total', help: 'Reconcile cycles by outcome', labelNames: ['outcome'], registers: [registry] }),
    driftResources: new Gauge({ name: 'calico_gitops_drift_resources', help: 'Resources that differ from the applied revision, by kind', labelNames: ['kind'], registers: [registry] }),
    driftEpisodes: new Counter({ name: 'calico_gitops_drift_episodes_total', help: 'Drift episodes seen (from the first drifted resource until none)', registers: [registry] }),
  };
  return m;
}
