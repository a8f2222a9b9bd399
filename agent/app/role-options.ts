// The configuration cut once into what each role and adapter takes, so none of them sees (or
// depends on) the whole Config.
import type { Config } from '../config/config.js';
import type { AlertFormat, ExecutorKind } from '../config/options.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { PlanningOptions } from '../controller/stages.js';
import type { RedisConnection } from '../queue/connection.js';
import type { StatusOptions } from '../report/status-reporter.js';
import { gitCredentialsFrom, type GitCredentials } from '../source/git-auth.js';

export interface SourceOptions {
  readonly url: string;
  readonly branch: string;
  readonly path: string;
  readonly credentials?: GitCredentials;
}

export interface ControllerOptions {
  /** The policy repository; the controller refuses to start without it. */
  readonly source?: SourceOptions;
  readonly planning: PlanningOptions;
  readonly pollIntervalMs: number;
  /** Namespace of the leader Lease. */
  readonly namespace: string;
  /** Base of the impact page links (`--public-url`); absent: impact statuses carry no link. */
  readonly publicUrl?: string;
}

export interface ExecutorOptions {
  /** calicoctl pods, or straight through projectcalico.org/v3 (checked against the cluster at start). */
  readonly kind: ExecutorKind;
  /** Owner annotation value: what the API executor may overwrite or delete. */
  readonly instance: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Image override; otherwise chosen by the cluster's Calico version. */
  readonly image?: string;
  readonly podTimeoutMs: number;
  readonly verifyTimeoutMs: number;
}

export interface DriftOptions {
  readonly instance: string;
  readonly selfHeal: boolean;
  readonly resyncIntervalMs: number;
  readonly alertIntervalMs: number;
  /** File holding the alert webhook URL (a secret); no alerts without it. */
  readonly alertWebhookFile?: string;
  readonly alertFormat: AlertFormat;
}

export interface AuditOptions {
  /** Approximate cap on the audit stream. */
  readonly maxEntries: number;
}

export interface RoleOptions {
  readonly cluster: string;
  readonly redis: RedisConnection;
  readonly controller: ControllerOptions;
  readonly executor: ExecutorOptions;
  readonly audit: AuditOptions;
  readonly statuses: StatusOptions;
  readonly drift: DriftOptions;
}

export function roleOptions(config: Config, calicoVersion: CalicoVersion): RoleOptions {
  return {
    cluster: config.cluster,
    redis: config.redis,
    controller: {
      ...(config.repo ? { source: { url: config.repo, branch: config.branch, path: config.path, ...gitCredentialsFrom(config) } } : {}),
      planning: { calicoVersion, instance: config.instance, adopt: config.adopt, deleteBudgetPercent: config.deleteBudget },
      pollIntervalMs: config.pollInterval,
      namespace: config.namespace,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    },
    executor: {
      kind: config.executor,
      instance: config.instance,
      namespace: config.namespace,
      serviceAccount: config.executorServiceAccount,
      ...(config.calicoctlImage ? { image: config.calicoctlImage } : {}),
      podTimeoutMs: config.podTimeout,
      verifyTimeoutMs: config.verifyTimeout,
    },
    audit: { maxEntries: config.auditMaxEntries },
    drift: {
      instance: config.instance,
      selfHeal: config.selfHeal,
      resyncIntervalMs: config.resyncInterval,
      alertIntervalMs: config.alertInterval,
      ...(config.alertWebhookFile ? { alertWebhookFile: config.alertWebhookFile } : {}),
      alertFormat: config.alertFormat,
    },
    statuses: {
      cluster: config.cluster,
      ...(config.forge
        ? {
            forge: {
              kind: config.forge,
              ...(config.forgeUrl ? { apiUrl: config.forgeUrl } : {}),
              ...(config.forgeRepo ? { repo: config.forgeRepo } : {}),
              ...(config.repo ? { repoUrl: config.repo } : {}),
              ...(config.forgeTokenFile ? { tokenFile: config.forgeTokenFile } : {}),
            },
          }
        : {}),
    },
  };
}
