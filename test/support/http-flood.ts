// Hostile HTTP clients over raw sockets, for the webhook limits test and benchmark: many
// connections each posting a large body, and one client trickling its body a byte at a time.
import { connect, type Socket } from 'node:net';

export type FloodOutcome = 'accepted' | 'unauthorized' | 'too-large' | 'busy' | 'timeout' | 'closed' | 'other';

export interface FloodOptions {
  readonly port: number;
  readonly connections: number;
  readonly bodyBytes: number;
  /** Headers per connection (index → headers); e.g. none, or a forged signature. */
  readonly headers: (i: number) => Record<string, string>;
}

/** Opens every connection at once, each posting `bodyBytes` to /hooks/git; resolves with how each ended. */
export async function flood(o: FloodOptions): Promise<Record<FloodOutcome, number>> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const one = (i: number): Promise<FloodOutcome> =>
    new Promise((resolve) => {
      const socket = connect(o.port, '127.0.0.1');
      let answer = '';
      let done = false;
      const finish = (outcome: FloodOutcome) => {
        if (done) return;
        done = true;
        socket.destroy();
        resolve(outcome);
      };
      socket.on('data', (d: Buffer) => {
        answer += d.toString('latin1');
        const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
        if (status) finish(statusOutcome(Number(status)));
      });
      socket.on('error', () => finish('closed'));
      socket.on('close', () => finish('closed'));
      socket.on('connect', () => {
        const head = Object.entries({ 'content-type': 'application/json', 'content-length': String(o.bodyBytes), ...o.headers(i) })
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        socket.write(`POST /hooks/git HTTP/1.1\r\nhost: x\r\n${head}\r\n`);
        let sent = 0;
        const pump = () => {
          while (!done && sent < o.bodyBytes) {
            const part = chunk.subarray(0, Math.min(chunk.length, o.bodyBytes - sent));
            sent += part.length;
            if (!socket.write(part)) return void socket.once('drain', pump);
          }
        };
        pump();
      });
    });
  const outcomes = await Promise.all(Array.from({ length: o.connections }, (_, i) => one(i)));
  const counts: Record<FloodOutcome, number> = { accepted: 0, unauthorized: 0, 'too-large': 0, busy: 0, timeout: 0, closed: 0, other: 0 };
  for (const x of outcomes) counts[x]++;
  return counts;
}

function statusOutcome(code: number): FloodOutcome {
  if (code === 202 || code === 200) return 'accepted';
  if (code === 401) return 'unauthorized';
  if (code === 413) return 'too-large';
  if (code === 503) return 'busy';
  if (code === 408) return 'timeout';
  return 'other';
}

/** Sends headers and then one body byte every `everyMs`; resolves with how the server ended it. */
export function trickle(o: { port: number; headers: Record<string, string>; everyMs: number }): Promise<{ outcome: FloodOutcome; bytesSent: number }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(o.port, '127.0.0.1');
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let answer = '';
    const finish = (outcome: FloodOutcome) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ outcome, bytesSent: sent });
    };
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      if (status) finish(statusOutcome(Number(status)));
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('connect', () => {
      const head = Object.entries({ 'content-length': '1000000', ...o.headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`POST /hooks/git HTTP/1.1\r\nhost: x\r\n${head}\r\n`);
      timer = setInterval(() => {
        sent++;
        socket.write('x');
      }, o.everyMs);
    });
  });
}
