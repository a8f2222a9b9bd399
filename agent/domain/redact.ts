// Keeps credentials out of every text that can be printed: URL user-info and any secret value
// (token and its Basic-auth encoding) are replaced before text leaves the stage that holds it.

/** `https://user:token@host/x.git` → `https://***@host/x.git`; other strings unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/** Replaces URL user-info anywhere in `text` and every occurrence of the given secrets. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

