// Kubeconfig files for the simulator: token user, server URL, embedded CA with TLS.
import { writeFile } from 'node:fs/promises';
import yaml from 'js-yaml';

export function kubeconfigYaml(o: { server: string; token: string; user: string; namespace?: string; caData?: Buffer }): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-sim', cluster: { server: o.server, ...tlsFields(o) } }],
    users: [{ name: o.user, user: { token: o.token } }],
    contexts: [{ name: 'kube-sim', context: { cluster: 'kube-sim', user: o.user, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': 'kube-sim',
    preferences: {},
  };
  return yaml.dump(doc, { lineWidth: -1 });
}

function tlsFields(o: { server: string; caData?: Buffer }): Record<string, unknown> {
  if (o.caData) return { 'certificate-authority-data': o.caData.toString('base64') };
  // client-node refuses an http:// server unless this is set ("HTTP protocol is not allowed when
  // skipTLSVerify is not set"); there is no TLS to verify anyway.
  return o.server.startsWith('http://') ? { 'insecure-skip-tls-verify': true } : {};
}

export async function writeKubeconfigFile(file: string, o: Parameters<typeof kubeconfigYaml>[0]): Promise<void> {
  // the file holds a bearer token: readable by its owner only
  await writeFile(file, kubeconfigYaml(o), { mode: 0o600 });
}
