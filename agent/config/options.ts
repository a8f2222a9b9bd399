// The option table: every option is a flag and a CALICO_GITOPS_* variable (DESIGN.md).
import { parseDuration } from './duration.js';
import { parseListen } from './listen.js';
import { parseCalicoVersion, type CalicoVersion } from '../domain/calico-version.js';

export const FORGES = ['github', 'gitlab', 'gitea'] as const;
export type Forge = (typeof FORGES)[number];
export const EXECUTORS = ['calicoctl', 'api'] as const;
export type ExecutorKind = (typeof EXECUTORS)[number];
export const ALERT_FORMATS = ['json', 'slack'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface OptionSpec<T> {
  /** Long flag without dashes, e.g. `poll-interval`. */
  readonly flag: string;
  readonly description: string;
  readonly default?: T;
  /** Secret-bearing options are never echoed back in messages. */
  readonly secret?: boolean;
  parse(raw: string): Parsed<T>;
}

export type WithDefault<T> = OptionSpec<T> & { readonly default: T };

function str(flag: string, description: string): OptionSpec<string>;
function str(flag: string, description: string, def: string): WithDefault<string>;
function str(flag: string, description: string, def?: string): OptionSpec<string> {
  return {
    flag,
    description,
    ...(def === undefined ? {} : { default: def }),
    parse: (raw) => (raw.trim() === '' ? { ok: false, message: 'must not be empty' } : { ok: true, value: raw.trim() }),
  };
}

function oneOf<T extends string>(flag: string, description: string, values: readonly T[]): OptionSpec<T>;
function oneOf<T extends string>(flag: string, description: string, values: readonly T[], def: T): WithDefault<T>;
function oneOf<T extends string>(flag: string, description: string, values: readonly T[], def?: T): OptionSpec<T> {
  return {
    flag,
    description,
    ...(def === undefined ? {} : { default: def }),
    parse: (raw) =>
      (values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, message: `must be one of ${values.join(', ')}` },
  };
}

const duration = (flag: string, description: string, def: number): WithDefault<number> => ({
  flag,
  description,
  default: def,
  parse: (raw) => {
    const ms = parseDuration(raw);
    return ms === undefined || ms <= 0 ? { ok: false, message: 'must be a duration such as 30s, 5m or 1h' } : { ok: true, value: ms };
  },
});

const int = (flag: string, description: string, def: number, min: number, max: number): WithDefault<number> => ({
  flag,
  description,
  default: def,
  parse: (raw) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? { ok: true, value: n } : { ok: false, message: `must be a whole number from ${min} to ${max}` };
  },
});

const bool = (flag: string, description: string, def: boolean): WithDefault<boolean> => ({
  flag,
  description,
  default: def,
  parse: (raw) => {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return { ok: true, value: true };
    if (['false', '0', 'no'].includes(v)) return { ok: true, value: false };
    return { ok: false, message: 'must be true or false' };
  },
});

const dns = (flag: string, description: string, def: string): WithDefault<string> => ({
  flag,
  description,
  default: def,
  parse: (raw) =>
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)
      ? { ok: true, value: raw }
      : { ok: false, message: 'must be a DNS label (lower case letters, digits and -, at most 63)' },
});

const version: OptionSpec<CalicoVersion> = {
  flag: 'calico-version',
  description: 'Calico version to target when no cluster tells (validate) or to override detection',
  parse: (raw) => {
    const v = parseCalicoVersion(raw);
    return v ? { ok: true, value: v } : { ok: false, message: 'must be a version such as v3.31.2' };
  },
};

/** Every option the agent knows. Keys are the config field names. */
export const OPTIONS = {
  repo: str('repo', 'policy repository URL (https, ssh or file)'),
  branch: str('branch', 'branch to follow', 'main'),
  path: str('path', 'folder inside the repository', '.'),
  cluster: dns('cluster', 'cluster name: status contexts, queue prefix, audit', 'default'),
  instance: dns('instance', 'owner annotation value', 'calico-gitops'),
  kubeconfig: str('kubeconfig', 'kubeconfig file; in-cluster config when absent'),
  context: str('context', 'kubeconfig context'),
  namespace: dns('namespace', 'namespace of executor pods and ConfigMaps', 'calico-gitops'),
  executorServiceAccount: dns('executor-service-account', 'executor identity: the calicoctl pods run as it; --executor api impersonates it', 'calico-gitops-executor'),
  executor: oneOf(
    'executor',
    'how changes are applied: calicoctl|api (api: straight through projectcalico.org/v3 as the executor service account, no pod; only where the cluster serves v3)',
    EXECUTORS,
    'calicoctl',
  ),
  calicoctlImage: str('calicoctl-image', 'calicoctl image (calicoctl executor only); default follows the cluster Calico version'),
  calicoVersion: version,
  redis: { ...str('redis', 'Redis URL (or Redis Cluster seed)', 'redis://127.0.0.1:6379'), secret: true },
  forge: oneOf('forge', 'where commit statuses go', FORGES),
  forgeUrl: str('forge-url', 'forge API base URL'),
  forgeTokenFile: str('forge-token-file', 'file holding the forge API token'),
  forgeRepo: str('forge-repo', 'repository on the forge (OWNER/NAME; GitLab: project path)'),
  gitTokenFile: str('git-token-file', 'file holding an HTTPS token for the policy repository'),
  sshKeyFile: str('ssh-key-file', 'file holding an SSH private key for the policy repository'),
  webhookSecretFile: str('webhook-secret-file', 'file holding the webhook secret'),
  pollInterval: duration('poll-interval', 'Git poll period', 30_000),
  resyncInterval: duration('resync-interval', 'full resync period', 600_000),
  podTimeout: duration('pod-timeout', 'deadline of one calicoctl pod (calicoctl executor only; refused with --executor api)', 120_000),
  verifyTimeout: duration('verify-timeout', 'how long to wait for the live state to show a change', 60_000),
  listen: <WithDefault<string>>{
    flag: 'listen',
    description: 'HTTP listen address ([HOST]:PORT)',
    default: ':8080',
    parse: (raw: string): Parsed<string> =>
      parseListen(raw) ? { ok: true, value: raw.trim() } : { ok: false, message: 'must be [HOST]:PORT, such as :8080 or 127.0.0.1:9000' },
  },
  workers: int('workers', 'in-process workers run by `agent` (0 = separate worker processes only)', 1, 0, 64),
  deleteBudget: int('delete-budget', 'largest share of owned objects one plan may delete, in percent', 25, 0, 100),
  adopt: bool('adopt', 'take over existing unowned objects with the same key', false),
  auditMaxEntries: int('audit-max-entries', 'approximate cap on the audit stream (XADD MAXLEN ~)', 100_000, 100, 100_000_000),
  selfHeal: bool('self-heal', 'restore the Git state when drift is seen', true),
  alertWebhookFile: str('alert-webhook-file', 'file holding the drift alert webhook URL (a secret: Slack URLs carry a token)'),
  alertFormat: oneOf('alert-format', 'drift alert body: plain JSON or Slack-compatible', ALERT_FORMATS, 'json'),
  alertInterval: duration('alert-interval', 'repeat a drift alert at most this often while the drift lasts', 600_000),
  publicUrl: <OptionSpec<string>>{
    flag: 'public-url',
    description: "the agent's address as the forge's users reach it: impact statuses link to <url>/impact/<sha>",
    parse: (raw: string): Parsed<string> => {
      const url = URL.canParse(raw.trim()) ? new URL(raw.trim()) : undefined;
      return url && (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash
        ? { ok: true, value: url.href.replace(/\/+$/, '') }
        : { ok: false, message: 'must be an http(s) URL without query or fragment, such as https://calico-gitops.example.com' };
    },
  },
  logLevel: oneOf('log-level', 'log level', LOG_LEVELS, 'info'),
} as const;

export type OptionName = keyof typeof OPTIONS;

/** `poll-interval` → `CALICO_GITOPS_POLL_INTERVAL`. */
export function envName(flag: string): string {
  return `CALICO_GITOPS_${flag.replace(/-/g, '_').toUpperCase()}`;
}
