// A local webhook endpoint for drift alerts: records every JSON body, can play dead on demand.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AlertReceiver {
  /** The URL to put in --alert-webhook-file (with a secret-looking path). */
  readonly url: string;
  readonly bodies: unknown[];
  /** Answer the next `count` posts with 503. */
  failNext(count: number): void;
  /** Posts answered with an error so far. */
  readonly failures: () => number;
  close(): Promise<void>;
}

export async function startAlertReceiver(): Promise<AlertReceiver> {
  const bodies: unknown[] = [];
  let failing = 0;
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing > 0) {
        failing -= 1;
        failures += 1;
        res.writeHead(503).end('down');
        return;
      }
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/SECRETTOKEN`,
    bodies,
    failNext: (n) => void (failing = n),
    failures: () => failures,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
