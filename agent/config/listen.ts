// `--listen` addresses: `:8080`, `127.0.0.1:0`, `[::1]:9000`, `localhost:8080`. Anything else is
// refused at start, never quietly replaced by a default port.
import { isIP } from 'node:net';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `:8080` → {host: '0.0.0.0', port: 8080}; undefined when `text` is not `[HOST]:PORT`. */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const rawHost = m[1] ?? '';
  const port = Number(m[2]);
  if (port > 65_535) return undefined;
  const bracketed = rawHost.startsWith('[');
  const host = bracketed ? rawHost.slice(1, -1) : rawHost;
  if (bracketed && isIP(host) !== 6) return undefined;
  if (!bracketed && host !== '' && isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host)) return undefined;
  return { host: host === '' ? '0.0.0.0' : host, port };
}
