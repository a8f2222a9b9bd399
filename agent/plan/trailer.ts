// The commit trailer that releases a held mass delete (DESIGN.md, "Ownership and safety").

export const ALLOW_DELETE_TRAILER = 'Calico-GitOps-Allow-Delete';

/**
 * Reads `Calico-GitOps-Allow-Delete: <n>` from the trailer block (the last paragraph, as
 * `git interpret-trailers` does), so a number quoted in the body does not release anything.
 * The last occurrence wins; anything but a whole number ≥ 0 is ignored.
 */
export function parseAllowDeleteTrailer(commitMessage: string): number | undefined {
  const paragraphs = commitMessage.replace(/\r\n/g, '\n').trim().split(/\n\s*\n/);
  if (paragraphs.length < 2) return undefined;
  const last = paragraphs[paragraphs.length - 1] ?? '';
  let found: number | undefined;
  for (const line of last.split('\n')) {
    const m = /^([A-Za-z0-9-]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m || m[1]?.toLowerCase() !== ALLOW_DELETE_TRAILER.toLowerCase()) continue;
    const value = m[2] ?? '';
    if (/^\d{1,9}$/.test(value)) found = Number(value);
  }
  return found;
}
