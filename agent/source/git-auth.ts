// Credentials for the policy repository, turned into git options that never put a secret in a URL,
// on a command line, in the mirror's config or in an error: HTTPS tokens travel as an
// `http.extraHeader` config entry given through the environment (GIT_CONFIG_COUNT/KEY/VALUE, see
// GitRunner), SSH keys through GIT_SSH_COMMAND with a key file and host key checking.
import { readFile } from 'node:fs/promises';
import type { GitConfigEntry } from './git-runner.js';

export type GitCredentials =
  | {
      readonly kind: 'token';
      /** File holding the token (re-read on every operation, so a rotated secret is picked up). */
      readonly tokenFile?: string;
      /** The token itself (tests, or a caller that already read it). */
      readonly token?: string;
      /** `basic` (default; GitHub, GitLab, Gitea accept a token as the password) or `bearer`. */
      readonly scheme?: 'basic' | 'bearer';
      /** User name for Basic auth; GitHub/Gitea ignore it, GitLab wants `oauth2`. */
      readonly username?: string;
    }
  | {
      readonly kind: 'ssh';
      readonly keyFile: string;
      /** known_hosts file; without it host keys are checked against the user's default file. */
      readonly knownHostsFile?: string;
      /** `yes` (default) refuses unknown hosts; `accept-new` trusts a host on first use. */
      readonly strictHostKeyChecking?: 'yes' | 'accept-new';
    };

export interface GitAuthOptions {
  /**
   * Config entries that carry a secret (the auth header). Give them to GitRunner as `envConfig`,
   * never as `-c`: a command line is readable by every process in the container (`ps`,
   * /proc/<pid>/cmdline), an environment only by the same user.
   */
  readonly envConfig: readonly GitConfigEntry[];
  /** Environment variables to add to the git child process. */
  readonly env: Readonly<Record<string, string>>;
  /** Secret strings to scrub from any text git produces. */
  readonly secrets: readonly string[];
}

/** The credentials the configuration names (`--git-token-file` wins over `--ssh-key-file`). */
export function gitCredentialsFrom(config: { readonly gitTokenFile?: string | undefined; readonly sshKeyFile?: string | undefined }): { credentials?: GitCredentials } {
  if (config.gitTokenFile) return { credentials: { kind: 'token', tokenFile: config.gitTokenFile } };
  if (config.sshKeyFile) return { credentials: { kind: 'ssh', keyFile: config.sshKeyFile } };
  return {};
}

export const NO_AUTH: GitAuthOptions = { envConfig: [], env: {}, secrets: [] };

export async function resolveGitAuth(credentials: GitCredentials | undefined): Promise<GitAuthOptions> {
  if (!credentials) return NO_AUTH;
  if (credentials.kind === 'token') {
    const token = (credentials.token ?? (credentials.tokenFile ? await readFile(credentials.tokenFile, 'utf8') : '')).trim();
    if (!token) return NO_AUTH;
    const basic = Buffer.from(`${credentials.username ?? 'x-access-token'}:${token}`).toString('base64');
    const header = credentials.scheme === 'bearer' ? `Bearer ${token}` : `Basic ${basic}`;
    return { envConfig: [{ key: 'http.extraHeader', value: `Authorization: ${header}` }], env: {}, secrets: [token, basic] };
  }
  const parts = [
    'ssh',
    '-i', shellQuote(credentials.keyFile),
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', `StrictHostKeyChecking=${credentials.strictHostKeyChecking ?? 'yes'}`,
    // ssh gives up on a dead host by itself, so no ssh process outlives a killed git.
    '-o', 'ConnectTimeout=30',
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=2',
  ];
  if (credentials.knownHostsFile) parts.push('-o', shellQuote(`UserKnownHostsFile=${credentials.knownHostsFile}`));
  return { envConfig: [], env: { GIT_SSH_COMMAND: parts.join(' ') }, secrets: [] };
}

// GIT_SSH_COMMAND goes through a shell: quote paths so spaces or metacharacters stay literal.
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
