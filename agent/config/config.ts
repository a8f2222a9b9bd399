// The only reader of process.env. Parses every option once, lists every problem at once.
import { ConfigError } from '../domain/errors.js';
import { formatIssue, type Issue } from '../domain/issue.js';
import { redactText } from '../domain/redact.js';
import { envName, OPTIONS, type OptionName, type OptionSpec } from './options.js';

type ValueOf<K extends OptionName> = (typeof OPTIONS)[K] extends OptionSpec<infer T> ? T : never;

/** Typed configuration; options without a default may be undefined. */
export type Config = {
  readonly [K in OptionName]: (typeof OPTIONS)[K] extends { default: unknown } ? ValueOf<K> : ValueOf<K> | undefined;
};

/** A configuration problem is an Issue of no file; its message names the option as given (`--redis`, `CALICO_GITOPS_REDIS`). */
export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: readonly Issue[] };

function configIssue(code: 'required' | 'invalid' | 'conflict', message: string): Issue {
  return { severity: 'error', file: '', line: 0, column: 0, path: '', code: `config-${code}`, message };
}

export interface ParseConfigInput {
  /** Flag values as strings, keyed by config field name (commander's camelCase). */
  readonly flags: Readonly<Partial<Record<string, string | boolean | number | undefined>>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Options that must be present (e.g. `repo` for `agent`). */
  readonly required?: readonly OptionName[];
}

const CALICOCTL_ONLY: readonly OptionName[] = ['podTimeout', 'calicoctlImage'];

/** Pure: flags win over environment variables, which win over defaults. */
export function parseConfig(input: ParseConfigInput): ConfigResult {
  const issues: Issue[] = [];
  const out: Record<string, unknown> = {};
  /** How each option was given (`--pod-timeout` or `CALICO_GITOPS_POD_TIMEOUT`), for those that were. */
  const given = new Map<OptionName, string>();
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, OptionSpec<unknown>][]) {
    const flagValue = input.flags[name];
    const envValue = input.env[envName(spec.flag)];
    const raw = flagValue !== undefined ? String(flagValue) : envValue;
    const source = flagValue !== undefined ? 'flag' : 'env';
    const label = source === 'flag' ? `--${spec.flag}` : envName(spec.flag);
    if (raw !== undefined) given.set(name, label);
    if (raw === undefined) {
      if (input.required?.includes(name)) {
        issues.push(configIssue('required', `--${spec.flag} (or ${envName(spec.flag)}) is required`));
      }
      out[name] = spec.default;
      continue;
    }
    const parsed = spec.parse(raw);
    if (parsed.ok) out[name] = parsed.value;
    else {
      const shown = spec.secret ? '' : ` (got ${JSON.stringify(raw)})`;
      issues.push(configIssue('invalid', `${label} ${parsed.message}${shown}`));
    }
  }
  if (out['forge'] !== undefined && out['forgeTokenFile'] === undefined) {
    issues.push(configIssue('conflict', '--forge needs --forge-token-file'));
  }
  if (out['forgeUrl'] !== undefined && out['forge'] === undefined) {
    issues.push(configIssue('conflict', '--forge-url needs --forge github|gitlab|gitea'));
  }
  if (out['executor'] === 'api') {
    // A pod deadline and a pod image mean nothing without a pod: refused rather than ignored.
    for (const name of CALICOCTL_ONLY) {
      const label = given.get(name);
      if (label) issues.push(configIssue('conflict', `${label} applies to the calicoctl executor only; --executor api runs no pod`));
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: out as Config };
}

/** Reads process.env; throws one ConfigError listing every issue. */
export function loadConfig(flags: ParseConfigInput['flags'], required: readonly OptionName[] = []): Config {
  const result = parseConfig({ flags, env: process.env, required });
  if (!result.ok) {
    throw new ConfigError(`invalid configuration:\n${result.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
  return result.config;
}

/** Options whose value is safe to show (for /status and startup logs). */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, OptionSpec<unknown>][]) {
    const value = config[name];
    // Secret options are hidden whole; any other URL (`--repo https://user:token@…`) loses its user-info.
    out[name] = spec.secret ? redactUrl(value) : typeof value === 'string' ? redactText(value) : value;
  }
  return out;
}

function redactUrl(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    if (url.username) url.username = '***';
    return url.toString();
  } catch {
    return '***';
  }
}
