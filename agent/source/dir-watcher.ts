// `calico-gitops plan --dir DIR --watch`: calls back once per burst of file changes under DIR
// (debounced), ignoring hidden files and directories and node_modules. chokidar does the watching.
import { relative, sep } from 'node:path';
import { watch } from 'chokidar';

export interface DirWatcherOptions {
  readonly dir: string;
  /** Called after a quiet period with the changed paths (relative to dir, forward slashes). */
  readonly onChange: (changed: readonly string[]) => void;
  /** Quiet period before calling back (default 200 ms). */
  readonly debounceMs?: number;
  /** Called when the watcher fails (e.g. the directory disappeared). */
  readonly onError?: (err: unknown) => void;
}

export interface DirWatcher {
  /** Resolves once the initial scan is done and changes are being reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function watchDir(options: DirWatcherOptions): DirWatcher {
  const isIgnored = (path: string): boolean => {
    const rel = relative(options.dir, path);
    if (!rel || rel.startsWith('..')) return false;
    return rel.split(sep).some((s) => s.startsWith('.') || s === 'node_modules');
  };
  const watcher = watch(options.dir, { ignored: isIgnored, ignoreInitial: true, persistent: true });
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    const changed = [...pending].sort();
    pending.clear();
    if (changed.length > 0) options.onChange(changed);
  };
  watcher.on('all', (_event, path) => {
    pending.add(relative(options.dir, path).split(sep).join('/'));
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 200);
  });
  watcher.on('error', (err) => options.onError?.(err));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending.clear();
      await watcher.close();
    },
  };
}
