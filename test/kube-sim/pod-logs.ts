// Container logs, written by the kubelet side (appendPodLog) and served by pods/log, including
// `follow` streams that end when the pod terminates or goes away.
import type { ServerResponse } from 'node:http';

type Listener = (text: string) => void;

export class PodLogs {
  private readonly logs = new Map<string, string>();
  private readonly listeners = new Map<string, Set<Listener>>();

  private key(ns: string, pod: string, container: string): string {
    return `${ns}/${pod}/${container}`;
  }

  append(ns: string, pod: string, container: string, text: string): void {
    const k = this.key(ns, pod, container);
    this.logs.set(k, (this.logs.get(k) ?? '') + text);
    for (const l of this.listeners.get(k) ?? []) l(text);
  }

  has(ns: string, pod: string, container: string): boolean {
    return this.logs.has(this.key(ns, pod, container));
  }

  read(ns: string, pod: string, container: string, o: { tailLines?: number; limitBytes?: number } = {}): string {
    let text = this.logs.get(this.key(ns, pod, container)) ?? '';
    if (o.tailLines !== undefined) {
      const lines = text.split('\n');
      const trailing = text.endsWith('\n');
      const body = trailing ? lines.slice(0, -1) : lines;
      text = body.slice(Math.max(0, body.length - o.tailLines)).join('\n') + (trailing && o.tailLines > 0 ? '\n' : '');
    }
    if (o.limitBytes !== undefined) text = text.slice(0, o.limitBytes);
    return text;
  }

  /** Streams new text until `done` is called by the server (pod finished or deleted) or the client leaves. */
  follow(ns: string, pod: string, container: string, res: ServerResponse): () => void {
    const k = this.key(ns, pod, container);
    let set = this.listeners.get(k);
    if (!set) {
      set = new Set();
      this.listeners.set(k, set);
    }
    const l: Listener = (text) => {
      if (!res.writableEnded) res.write(text);
    };
    set.add(l);
    const stop = (): void => {
      set.delete(l);
    };
    res.on('close', stop);
    return () => {
      stop();
      if (!res.writableEnded) res.end();
    };
  }

  removePod(ns: string, pod: string): void {
    for (const k of [...this.logs.keys()]) if (k.startsWith(`${ns}/${pod}/`)) this.logs.delete(k);
  }

  dump(): Record<string, string> {
    return Object.fromEntries(this.logs);
  }

  load(d: Record<string, string>): void {
    this.logs.clear();
    for (const [k, v] of Object.entries(d)) this.logs.set(k, v);
  }
}
