// `calicoctl get`: by file, by type (list) or by type and names, printed as a table (`ps`, the
// default), YAML or JSON, converted back from storage to projectcalico.org/v3.
import yaml from 'js-yaml';
import { CALICO_API_VERSION } from '../../../agent/domain/index.js';
import type { CalicoVersion } from '../../../agent/domain/index.js';
import type { CtlCommand } from './args.js';
import type { CtlKind } from './ctl-kinds.js';
import { ctlKindByAlias } from './ctl-kinds.js';
import { fatal } from './messages.js';
import type { CtlLine, CtlOutcome } from './messages.js';
import type { ResourceOps } from './resource-ops.js';
import type { CalicoObject } from './storage.js';

type LoadedInput = { ok: true; resources: readonly { object: CalicoObject; kind: CtlKind }[] } | { ok: false; message: string };

interface Target {
  readonly kind: CtlKind;
  readonly name?: string;
  readonly namespace?: string;
}

export async function runGet(o: { cmd: CtlCommand; ops: ResourceOps; version: CalicoVersion; loadFile: () => LoadedInput | undefined }): Promise<CtlOutcome> {
  const { cmd } = o;
  const targets: Target[] = [];
  const loaded = o.loadFile();
  if (loaded) {
    if (!loaded.ok) return fatal(`Failed to execute command: ${loaded.message}`);
    for (const r of loaded.resources) {
      targets.push({ kind: r.kind, name: r.object.metadata.name, ...(r.kind.namespaced ? { namespace: r.object.metadata.namespace ?? cmd.namespace ?? 'default' } : {}) });
    }
  } else {
    const kind = cmd.kind === undefined ? undefined : ctlKindByAlias(cmd.kind, o.version);
    if (!kind) return fatal(`Failed to get resources: resource type '${cmd.kind ?? ''}' is not supported`);
    if (!kind.namespaced && (cmd.namespace !== undefined || cmd.allNamespaces)) return fatal(`Failed to get resources: ${kind.kind} is not namespaced`);
    const namespace = kind.namespaced && !cmd.allNamespaces ? (cmd.namespace ?? 'default') : undefined;
    if (cmd.names.length === 0) targets.push({ kind, ...(namespace ? { namespace } : {}) });
    for (const name of cmd.names) {
      if (kind.namespaced && cmd.allNamespaces) return fatal('cannot use --all-namespace flag for getting a single resource');
      targets.push({ kind, name, ...(namespace ? { namespace } : {}) });
    }
  }

  const found: CalicoObject[] = [];
  const errors: string[] = [];
  let listed = false;
  let resourceVersion = '';
  for (const t of targets) {
    if (t.name === undefined) {
      listed = true;
      const res = await o.ops.list({ kind: t.kind, ...(t.namespace ? { namespace: t.namespace } : {}) });
      if (!res.ok) return fatal(`Failed to get resources: ${res.error.message}`);
      found.push(...res.value.items);
      resourceVersion = res.value.resourceVersion;
    } else {
      const res = await o.ops.get({ kind: t.kind, name: t.name, ...(t.namespace ? { namespace: t.namespace } : {}) });
      if (res.ok) found.push(res.value);
      else errors.push(res.error.message);
    }
  }

  const single = !listed && targets.length === 1;
  const lines: CtlLine[] = [];
  if (found.length > 0 || cmd.output === 'ps' || cmd.output === 'wide' || listed) {
    const text = render({ objects: found, output: cmd.output, single, kind: targets[0]?.kind, allNamespaces: cmd.allNamespaces, resourceVersion });
    if (text !== '') lines.push({ stream: 'stdout', text });
  }
  if (errors.length) return { exitCode: 1, lines: [...lines, { stream: 'stderr', text: errors.join('\n') }] };
  return { exitCode: 0, lines };
}

function printable(o: CalicoObject): Record<string, unknown> {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec };
}

function render(o: { objects: readonly CalicoObject[]; output: CtlCommand['output']; single: boolean; kind: CtlKind | undefined; allNamespaces: boolean; resourceVersion: string }): string {
  if (o.output === 'yaml' || o.output === 'json') {
    const first = o.objects[0];
    const value: unknown =
      o.single && first
        ? printable(first)
        : { apiVersion: CALICO_API_VERSION, items: o.objects.map(printable), kind: `${o.kind?.kind ?? ''}List`, metadata: { resourceVersion: o.resourceVersion } };
    return o.output === 'json' ? JSON.stringify(value, null, 2) : yaml.dump(value, { sortKeys: true, lineWidth: -1 }).trimEnd();
  }
  const withNs = o.kind?.namespaced === true;
  const rows = [withNs ? ['NAMESPACE', 'NAME'] : ['NAME']];
  for (const obj of o.objects) rows.push(withNs ? [obj.metadata.namespace ?? '', obj.metadata.name] : [obj.metadata.name]);
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, col) => cell.padEnd((widths[col] ?? 0) + 3)).join('').trimEnd()).join('\n');
}
