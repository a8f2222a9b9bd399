// The commit trailer that names what a rollback commit reverts (`calico-gitops rollback`), read
// from the trailer block (the last paragraph, as `git interpret-trailers` does), so a sha quoted
// in the body is not taken for one.

export const ROLLBACK_TRAILER = 'Calico-GitOps-Rollback-Of';

/** Pure: the shas named by `Calico-GitOps-Rollback-Of: <sha>[, <sha>…]` (empty when none). */
export function parseRollbackTrailer(commitMessage: string): string[] {
  const paragraphs = commitMessage.replace(/\r\n/g, '\n').trim().split(/\n\s*\n/);
  if (paragraphs.length < 2) return [];
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const out: string[] = [];
  for (const line of last.split('\n')) {
    const m = /^([A-Za-z0-9-]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m || m[1]?.toLowerCase() !== ROLLBACK_TRAILER.toLowerCase()) continue;
    for (const sha of (m[2] ?? '').split(',').map((s) => s.trim().toLowerCase())) {
      if (/^[0-9a-f]{7,64}$/.test(sha) && !out.includes(sha)) out.push(sha);
    }
  }
  return out;
}
