// The live cache: lists and watches every Calico source, keeps only converted, normalized objects
// and their hashes, and exposes the read side (LiveView) the planner uses. The list+watch loop,
// its backoff, 410 relists, periodic resync and "synced" rule are ListWatchCache's.
import type { ResourceKey } from '../domain/resource.js';
import type { LiveResource, LiveView } from '../domain/state.js';
import { ListWatchCache, type EntryListener, type ListWatchCacheOptions } from './list-watch-cache.js';
import { toLiveResource, type Normalizer } from './normalizer.js';
import type { LiveSource } from './sources.js';

export type { SourceStatus } from './list-watch-cache.js';

export type ChangeListener = EntryListener<ResourceKey, LiveResource>;

export interface LiveCacheOptions extends Omit<ListWatchCacheOptions<LiveSource, ResourceKey, LiveResource>, 'toEntry'> {
  readonly normalizer: Normalizer;
}

export class LiveCache extends ListWatchCache<LiveSource, ResourceKey, LiveResource> implements LiveView {
  constructor(o: LiveCacheOptions) {
    super({
      ...o,
      toEntry: (source, object) => {
        const converted = source.convert(object);
        return converted ? toLiveResource(converted, o.normalizer) : undefined;
      },
    });
  }
}
