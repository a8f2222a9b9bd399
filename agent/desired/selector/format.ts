// Canonical text of a selector, what Calico's Selector.String() prints
// (libcalico-go/lib/selector/parser/ast.go): `&&`/`||` groups always in parentheses, `!` glued to
// its operand, values in double quotes unless they contain one, sets sorted and de-duplicated.
// One deliberate difference: nested negations fold in pairs (see 'not' below).
// Two selectors with the same canonical text select the same things, so it suits normalization.
import type { SelectorNode } from './ast.js';

export function formatSelector(ast: SelectorNode): string {
  const out: string[] = [];
  write(ast, out);
  return out.join('');
}

function write(node: SelectorNode, out: string[]): void {
  switch (node.type) {
    case 'all':
      out.push('all()');
      return;
    case 'global':
      out.push('global()');
      return;
    case 'has':
      out.push('has(', node.label, ')');
      return;
    case 'eq':
      out.push(node.label, ' == ', quote(node.value));
      return;
    case 'neq':
      out.push(node.label, ' != ', quote(node.value));
      return;
    case 'contains':
      out.push(node.label, ' contains ', quote(node.value));
      return;
    case 'startsWith':
      out.push(node.label, ' starts with ', quote(node.value));
      return;
    case 'endsWith':
      out.push(node.label, ' ends with ', quote(node.value));
      return;
    case 'in':
    case 'notIn':
      out.push(node.label, node.type === 'in' ? ' in {' : ' not in {', canonicalSet(node.values).map(quote).join(', '), '}');
      return;
    case 'not': {
      // Calico prints `!(!x)` as `!!x`, which re-parses to `x`; folding pairs here keeps
      // format(parse(format(t))) === format(t), which normalization relies on.
      let operand = node.operand;
      let negated = true;
      while (operand.type === 'not') {
        operand = operand.operand;
        negated = !negated;
      }
      if (negated) out.push('!');
      write(operand, out);
      return;
    }
    case 'and':
    case 'or': {
      // A group of one is printed bare: it re-parses to the same node.
      if (node.operands.length === 1 && node.operands[0]) {
        write(node.operands[0], out);
        return;
      }
      out.push('(');
      node.operands.forEach((operand, i) => {
        if (i > 0) out.push(node.type === 'and' ? ' && ' : ' || ');
        write(operand, out);
      });
      out.push(')');
      return;
    }
  }
}

function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

/** Sorted by code point (Go's byte-wise string order) and without duplicates, as Calico's StringSet. */
export function canonicalSet(values: readonly string[]): string[] {
  const sorted = [...new Set(values)].sort(compareCodePoints);
  return sorted;
}

function compareCodePoints(a: string, b: string): number {
  // UTF-16 order differs from code point order only once a surrogate meets U+E000..U+FFFF.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
