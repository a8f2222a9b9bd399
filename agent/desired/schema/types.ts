// A tiny declarative schema for the fields of each kind: enough to report wrong types and
// unknown fields (with a did-you-mean hint) the way Calico's strict decoder does. Meaning
// (ranges, combinations) is checked by the rule functions in ../rules/.

export type FieldType =
  | { readonly t: 'string' }
  | { readonly t: 'number' }
  | { readonly t: 'integer' }
  | { readonly t: 'boolean' }
  /** A value that may be written as a number or a string (ports, protocols). */
  | { readonly t: 'int-or-string' }
  /** String keys to string values (labels, annotations). */
  | { readonly t: 'string-map' }
  | { readonly t: 'array'; readonly of: FieldType }
  | { readonly t: 'object'; readonly fields: Readonly<Record<string, FieldType>>; readonly ignored?: Readonly<Record<string, string>> }
  /** Not checked here (delegated to another validator). */
  | { readonly t: 'any' };

export const str: FieldType = { t: 'string' };
export const num: FieldType = { t: 'number' };
export const int: FieldType = { t: 'integer' };
export const bool: FieldType = { t: 'boolean' };
export const intOrString: FieldType = { t: 'int-or-string' };
export const stringMap: FieldType = { t: 'string-map' };
export const any: FieldType = { t: 'any' };
export const arrayOf = (of: FieldType): FieldType => ({ t: 'array', of });
export const object = (fields: Record<string, FieldType>, ignored?: Record<string, string>): FieldType =>
  ignored ? { t: 'object', fields, ignored } : { t: 'object', fields };
