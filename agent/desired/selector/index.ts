// Calico selector parsing, canonical formatting and evaluation.
export type { SelectorContext, SelectorNode, SelectorResult, ValueOperator, SetOperator } from './ast.js';
export { MAX_SELECTOR_LABEL_LENGTH, MAX_SELECTOR_LENGTH } from './ast.js';
export type { ParseSelectorOptions } from './parser.js';
export { parseSelector } from './parser.js';
export { formatSelector, canonicalSet } from './format.js';
export { matchesLabels } from './evaluate.js';
export { isValidSelectorLabel } from './tokenizer.js';
