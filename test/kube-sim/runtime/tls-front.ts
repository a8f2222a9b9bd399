// The kubectl on this machine sends no bearer token over plain http:// (see ../README.md), so the
// kubectl image could not act as its ServiceAccount on a simulator started without TLS. The kubelet
// then puts this HTTPS front in between: it forwards every request byte for byte (headers,
// Authorization included, and streaming watch bodies) to the plain-HTTP simulator.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { makeServingCert } from '../tls.js';

export interface TlsFront {
  readonly url: string;
  readonly caCertPath: string;
  close(): Promise<void>;
}

export async function startTlsFront(o: { target: string }): Promise<TlsFront> {
  const cert = await makeServingCert();
  const target = new URL(o.target);
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caCertPath: cert.certPath,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(cert.dir, { recursive: true, force: true });
    },
  };
}
