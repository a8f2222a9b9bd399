// `--watch` for one-shot commands: run once, then again after each burst of changes under a
// directory. Runs never overlap; changes during a run cause exactly one more run afterwards.
import { watchDir } from './dir-watcher.js';

export interface WatchRerunOptions {
  readonly dir: string;
  /** One run of the command (its output is its own business); errors go to onError. */
  readonly run: (changed: readonly string[]) => Promise<unknown>;
  readonly onError?: (err: unknown) => void;
  /** Changes that arrived during a run: they are run once it ends (one run for all of them). */
  readonly onDeferred?: (changed: readonly string[]) => void;
  readonly debounceMs?: number;
  /** Stops watching when aborted (SIGINT in the CLI). */
  readonly signal?: AbortSignal;
}

/** Resolves when the signal aborts (after the current run finishes). */
export async function watchAndRerun(options: WatchRerunOptions): Promise<void> {
  let running: Promise<void> | undefined;
  let again: string[] | undefined;
  const runOnce = async (changed: readonly string[]): Promise<void> => {
    try {
      await options.run(changed);
    } catch (err) {
      options.onError?.(err);
    }
  };
  const schedule = (changed: readonly string[]): void => {
    if (running) {
      again = [...new Set([...(again ?? []), ...changed])].sort();
      options.onDeferred?.(changed);
      return;
    }
    running = (async () => {
      let next: readonly string[] | undefined = changed;
      while (next) {
        await runOnce(next);
        next = again;
        again = undefined;
      }
      running = undefined;
    })();
  };

  const watcher = watchDir({
    dir: options.dir,
    onChange: (changed) => {
      if (!options.signal?.aborted) schedule(changed);
    },
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  await watcher.ready;
  schedule([]);
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    else options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await watcher.close();
  await running;
}
