// What every converter produces: a stored object back in the repository's shape, before
// normalization, with our bookkeeping separated out.
import type { KindId } from '../domain/kinds.js';
import type { Manifest } from '../domain/resource.js';
import type { Bookkeeping, FieldWrite, StoredRef } from '../domain/state.js';

export interface ConvertedObject {
  readonly kindId: KindId;
  /** Repository-shaped manifest, bookkeeping and server-managed fields removed, not yet normalized. */
  readonly manifest: Manifest;
  readonly bookkeeping: Bookkeeping;
  readonly resourceVersion?: string;
  /** Identity as stored (group/version, kind, stored name), for Events about the object. */
  readonly stored?: StoredRef;
  /** Newest managedFields entry: who wrote the object last. */
  readonly lastWrite?: FieldWrite;
}
