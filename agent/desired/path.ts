import type { Path } from './document.js';

const IDENT = /^[A-Za-z_$][\w$-]*$/;

/** `['spec', 'ingress', 0, 'source']` -> `spec.ingress[0].source`; odd keys are bracketed. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
