// Evaluation with Calico's semantics (ast.go): `!=` and `not in` match when the label is absent,
// every other comparison needs the label present. For tests and the simulator.
import type { SelectorNode } from './ast.js';

export function matchesLabels(ast: SelectorNode, labels: Readonly<Record<string, string>>): boolean {
  switch (ast.type) {
    case 'all':
    case 'global':
      return true;
    case 'has':
      return Object.hasOwn(labels, ast.label);
    case 'eq':
      return get(labels, ast.label) === ast.value;
    case 'neq':
      return get(labels, ast.label) !== ast.value;
    case 'contains': {
      const v = get(labels, ast.label);
      return v !== undefined && v.includes(ast.value);
    }
    case 'startsWith': {
      const v = get(labels, ast.label);
      return v !== undefined && v.startsWith(ast.value);
    }
    case 'endsWith': {
      const v = get(labels, ast.label);
      return v !== undefined && v.endsWith(ast.value);
    }
    case 'in': {
      const v = get(labels, ast.label);
      return v !== undefined && ast.values.includes(v);
    }
    case 'notIn': {
      const v = get(labels, ast.label);
      return v === undefined || !ast.values.includes(v);
    }
    case 'not':
      return !matchesLabels(ast.operand, labels);
    case 'and':
      return ast.operands.every((op) => matchesLabels(op, labels));
    case 'or':
      return ast.operands.some((op) => matchesLabels(op, labels));
  }
}

function get(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  // Own keys only: a label named `constructor` or `__proto__` must not find Object's members.
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}
