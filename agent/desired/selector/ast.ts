// The syntax tree of a Calico selector. It mirrors libcalico-go/lib/selector/parser/ast.go node for
// node, so formatting and evaluation can follow Calico's own semantics exactly.

/** Where a selector appears; decides whether `global()` is allowed. */
export type SelectorContext = 'endpoint' | 'namespace' | 'rule-namespace' | 'service-account';

/** Operators that compare a label with one string. */
export type ValueOperator = 'eq' | 'neq' | 'contains' | 'startsWith' | 'endsWith';
/** Operators that compare a label with a set of strings. */
export type SetOperator = 'in' | 'notIn';

export type SelectorNode =
  | { readonly type: 'all' }
  | { readonly type: 'global' }
  | { readonly type: 'has'; readonly label: string }
  | { readonly type: ValueOperator; readonly label: string; readonly value: string }
  | { readonly type: SetOperator; readonly label: string; readonly values: readonly string[] }
  | { readonly type: 'not'; readonly operand: SelectorNode }
  /** parseSelector always gives two or more operands; formatSelector needs at least one. */
  | { readonly type: 'and' | 'or'; readonly operands: readonly SelectorNode[] };

export type SelectorResult =
  | { readonly ok: true; readonly ast: SelectorNode }
  | {
      readonly ok: false;
      /** 0-based character offset into the selector text where the problem starts. */
      readonly offset: number;
      /** A sentence for a person; ends with the offset (`... at offset 4`). */
      readonly message: string;
    };

/** Calico's tokenizer refuses longer label names (tokenizer.MaxLabelLength). */
export const MAX_SELECTOR_LABEL_LENGTH = 512;
/** From v3.33 Calico's CRD schema caps most selector fields at this many characters. */
export const MAX_SELECTOR_LENGTH = 1024;
