// A container's environment as the kubelet builds it: `env` entries in order (literal values,
// `configMapKeyRef`, `fieldRef` to the pod's own metadata), then `$(VAR)` expansion in values,
// command and args (Kubernetes' expansion rules: `$$` escapes, unknown references stay as they are).

export interface EnvSources {
  /** ConfigMaps by name (data only); undefined when missing. */
  configMap(name: string): Readonly<Record<string, string>> | undefined;
  /** `metadata.name`, `metadata.namespace`, `spec.serviceAccountName`, `spec.nodeName`. */
  field(path: string): string | undefined;
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

export function expandRefs(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : match;
  });
}

export function buildEnv(entries: unknown, sources: EnvSources): EnvResult {
  const env: Record<string, string> = {};
  if (!Array.isArray(entries)) return { ok: true, env };
  for (const raw of entries) {
    if (typeof raw !== 'object' || raw === null) continue;
    const e = raw as Record<string, unknown>;
    const name = typeof e['name'] === 'string' ? e['name'] : '';
    if (!name) continue;
    if (typeof e['value'] === 'string') {
      env[name] = expandRefs(e['value'], env);
      continue;
    }
    const from = (e['valueFrom'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const cmRef = from['configMapKeyRef'];
    const fieldRef = from['fieldRef'];
    if (cmRef) {
      const cmName = String(cmRef['name'] ?? '');
      const key = String(cmRef['key'] ?? '');
      const data = sources.configMap(cmName);
      const value = data?.[key];
      if (value === undefined) {
        if (cmRef['optional'] === true) continue;
        return { ok: false, message: data ? `couldn't find key ${key} in ConfigMap ${cmName}` : `configmap "${cmName}" not found` };
      }
      env[name] = value;
    } else if (fieldRef) {
      env[name] = sources.field(String(fieldRef['fieldPath'] ?? '')) ?? '';
    } else {
      env[name] = '';
    }
  }
  return { ok: true, env };
}
