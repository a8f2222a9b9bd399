import type { Forge } from '../config/options.js';

/** API base when `--forge-url` is not given (only GitHub has a fixed public one). */
export function defaultForgeApi(forge: Forge): string {
  if (forge === 'github') return 'https://api.github.com';
  if (forge === 'gitlab') return 'https://gitlab.com/api/v4';
  return 'https://gitea.com/api/v1';
}

/**
 * `OWNER/NAME` (GitLab: the full project path) from a repository URL:
 * https://host/a/b.git, git@host:a/b.git, ssh://git@host/a/b.
 */
export function forgeRepoFrom(url: string): string {
  const scp = /^[^@/]+@[^:/]+:(.+)$/.exec(url);
  let path = scp?.[1];
  if (path === undefined) {
    try {
      path = new URL(url).pathname;
    } catch {
      path = url;
    }
  }
  return path.replace(/^\/+/, '').replace(/\.git\/?$/, '').replace(/\/+$/, '');
}
