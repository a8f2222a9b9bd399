// A self-signed serving certificate for 127.0.0.1/localhost. Node has no X.509 generator, so the
// `openssl` CLI writes it into a temp dir; the certificate is its own CA for kubeconfigs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServingCert {
  readonly dir: string;
  readonly certPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export async function makeServingCert(): Promise<ServingCert> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-sim-tls-'));
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'tls.key');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=kube-sim',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    '-addext', 'extendedKeyUsage=serverAuth',
  ]);
  return { dir, certPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}
