// Bearer-token authentication: one admin token (system:masters) and one token per ServiceAccount,
// valid only while that ServiceAccount (same uid) exists. Impersonation headers are resolved here.
import { randomBytes } from 'node:crypto';

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
  readonly uid?: string;
}

export const ADMIN_USER: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

interface SaToken {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface TokenDump {
  readonly adminToken: string;
  readonly serviceAccounts: Record<string, SaToken>;
}

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    ...(uid ? { uid } : {}),
  };
}

export class TokenAuthority {
  adminToken: string = randomBytes(24).toString('hex');
  private readonly tokens = new Map<string, SaToken>();

  /** The token of a ServiceAccount, created on first use for that uid. */
  issue(namespace: string, name: string, uid: string): string {
    for (const [t, sa] of this.tokens) if (sa.uid === uid) return t;
    const token = `sa-${randomBytes(24).toString('hex')}`;
    this.tokens.set(token, { namespace, name, uid });
    return token;
  }

  revoke(uid: string): void {
    for (const [t, sa] of this.tokens) if (sa.uid === uid) this.tokens.delete(t);
  }

  /**
   * `undefined` = a token was given and is not valid (401); ANONYMOUS when none was given.
   * `saUid` answers the current uid of a ServiceAccount, so a recreated account's old token fails.
   */
  authenticate(header: string | undefined, saUid: (namespace: string, name: string) => string | undefined): UserInfo | undefined {
    if (!header) return ANONYMOUS;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return undefined;
    const token = m[1] ?? '';
    if (token === this.adminToken) return ADMIN_USER;
    const sa = this.tokens.get(token);
    if (!sa || saUid(sa.namespace, sa.name) !== sa.uid) return undefined;
    return serviceAccountUser(sa.namespace, sa.name, sa.uid);
  }

  dump(): TokenDump {
    return { adminToken: this.adminToken, serviceAccounts: Object.fromEntries(this.tokens) };
  }

  load(d: TokenDump): void {
    this.adminToken = d.adminToken;
    this.tokens.clear();
    for (const [t, sa] of Object.entries(d.serviceAccounts)) this.tokens.set(t, sa);
  }
}

/** The user an impersonating request acts as (the caller's right to impersonate is checked by the caller). */
export function impersonatedUser(user: string, groups: readonly string[]): UserInfo {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  if (sa && groups.length === 0) return serviceAccountUser(sa[1] ?? '', sa[2] ?? '');
  const all = [...groups];
  if (user !== 'system:anonymous' && !all.includes('system:authenticated')) all.push('system:authenticated');
  return { name: user, groups: all };
}
