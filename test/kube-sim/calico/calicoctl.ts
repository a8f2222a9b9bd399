// The emulated calicoctl binary: parses its arguments, checks the datastore and version, loads and
// validates the input file, then runs the verb resource by resource through the API server as the
// pod's ServiceAccount. Returns what the process would print and its exit status.
// By default (CALICO.md, "calicoctl") a multi-document file stops at the first failure, so
// resources after a failed one are not attempted; `failureMode: 'continue'` follows current
// upstream calicoctl instead, which attempts every resource (see FailureMode in messages.ts).
import { CALICO_API_VERSION, DEFAULT_CALICO_VERSION, atLeast, parseCalicoVersion } from '../../../agent/domain/index.js';
import type { CalicoVersion, Issue, JsonObject, Manifest } from '../../../agent/domain/index.js';
import { parseCalicoctlArgs } from './args.js';
import type { CtlCommand } from './args.js';
import { validationError } from './ctl-errors.js';
import type { CtlError } from './ctl-errors.js';
import { ctlKindByAlias, ctlKindByKind } from './ctl-kinds.js';
import type { CtlKind } from './ctl-kinds.js';
import { loadDocuments } from './documents.js';
import type { LoadedDocument } from './documents.js';
import { runGet } from './get-command.js';
import type { KubeApi } from './kube-api.js';
import { fatal, fileInvalid, noResources, summarize } from './messages.js';
import type { BatchResult, CtlOutcome, FailureMode } from './messages.js';
import { createResourceOps } from './resource-ops.js';
import type { OpResult, ResourceOps } from './resource-ops.js';
import type { CalicoObject } from './storage.js';
import { projectValidator } from './validate.js';
import type { ValidationPort } from './validate.js';
import { checkVersionMismatch, readClusterVersion } from './version-check.js';

export interface CalicoctlOptions {
  /** Arguments after the `calicoctl` entrypoint. */
  readonly argv: readonly string[];
  /** The container's environment (DATASTORE_TYPE must be `kubernetes`). */
  readonly env: Readonly<Record<string, string>>;
  /** Reads a file visible in the container (mounted ConfigMaps); undefined when absent. */
  readFile(path: string): string | undefined;
  /** Files directly inside a directory (absolute paths); undefined when it is not a directory. */
  listDir?(path: string): readonly string[] | undefined;
  /** The API server, authenticated as the pod's ServiceAccount. */
  readonly api: KubeApi;
  /** The binary's version: the image tag (`v3.31.2`). */
  readonly clientVersion: string;
  readonly validator?: ValidationPort;
  /** Default `stop` (CALICO.md); `continue` is current upstream behaviour. See FailureMode. */
  readonly failureMode?: FailureMode;
}

export type { CtlOutcome, CtlLine, FailureMode } from './messages.js';

/** The error libcalico's etcdv3 client gives when no etcd answers (the default datastore). */
const ETCD_UNREACHABLE = 'context deadline exceeded';

const etcdApi: KubeApi = {
  request: () => Promise.reject(new Error(ETCD_UNREACHABLE)),
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function runCalicoctl(o: CalicoctlOptions): Promise<CtlOutcome> {
  const parsed = parseCalicoctlArgs(o.argv);
  if (!parsed.ok) return fatal(parsed.message);
  const cmd = parsed.command;
  const version: CalicoVersion = parseCalicoVersion(o.clientVersion) ?? DEFAULT_CALICO_VERSION;
  const api = o.env['DATASTORE_TYPE'] === 'kubernetes' ? o.api : etcdApi;

  if (cmd.verb === 'version') return runVersion({ api, clientVersion: o.clientVersion });
  if (cmd.verb === 'validate' && !atLeast(version, 3, 31)) return fatal(`unknown command: "validate"`);

  if (cmd.verb !== 'validate' && !cmd.allowVersionMismatch) {
    const mismatch = await checkVersionMismatch({ api, clientVersion: o.clientVersion }).catch((err: unknown) =>
      `Unable to get Cluster Information to verify version mismatch: ${errorText(err)}\nUse --allow-version-mismatch to override.\n`,
    );
    if (mismatch !== undefined) return fatal(mismatch);
  }

  const ops = createResourceOps({ api, version });
  if (cmd.verb === 'get') {
    return runGet({ cmd, ops, version, loadFile: () => (cmd.filename === undefined ? undefined : loadInput(cmd, o, version)) }).catch(
      (err: unknown) => fatal(errorText(err)),
    );
  }
  if (cmd.verb === 'delete' && cmd.filename === undefined) return runDeleteByName(cmd, ops, version, o.failureMode ?? 'stop');

  const verb = cmd.verb as BatchResult['verb'];
  const input = loadInput(cmd, o, version);
  if (!input.ok) return fileInvalid(verb, input.message);
  if (input.resources.length === 0) return noResources();
  return runBatch({ verb, cmd, ops, resources: input.resources, mode: o.failureMode ?? 'stop' });
}

interface InputResource {
  readonly object: CalicoObject;
  readonly kind: CtlKind;
  /** Validation problems of this document, reported when its turn comes (as libcalico does). */
  readonly invalid?: CtlError;
}

type Input = { ok: true; resources: readonly InputResource[] } | { ok: false; message: string };

function loadInput(cmd: CtlCommand, o: CalicoctlOptions, version: CalicoVersion): Input {
  const path = cmd.filename ?? '';
  const content = o.readFile(path);
  if (content !== undefined) return loadFile(path, content, o, version);
  // A directory: its .yaml/.yml/.json files in name order, stopping at the first bad file.
  const entries = o.listDir?.(path)?.filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  if (entries === undefined) return { ok: false, message: `open ${path}: no such file or directory` };
  const resources: InputResource[] = [];
  for (const file of entries) {
    const one = loadFile(file, o.readFile(file) ?? '', o, version);
    if (!one.ok) return one;
    resources.push(...one.resources);
  }
  return { ok: true, resources };
}

function loadFile(path: string, content: string, o: CalicoctlOptions, version: CalicoVersion): Input {
  const loaded = loadDocuments(content);
  if (!loaded.ok) return loaded;

  const resources: InputResource[] = [];
  const issues = (o.validator ?? projectValidator).validateFile({ path, content, version });
  const unknownField = issues.find((i) => i.code === 'unknown-field');
  if (unknownField) return { ok: false, message: `unknown field "${unknownField.path.split('.').pop() ?? unknownField.path}"` };

  for (const doc of loaded.documents) {
    const apiVersion = doc.value['apiVersion'];
    const kindName = doc.value['kind'];
    const kind = apiVersion === CALICO_API_VERSION && typeof kindName === 'string' ? ctlKindByKind(kindName, version) : undefined;
    if (!kind) return { ok: false, message: `Unknown resource type (${String(kindName)}) and/or version (${String(apiVersion)})` };
    const object = toObject(doc, kind, o.validator ?? projectValidator);
    const mine = issues.filter((i) => i.line >= doc.startLine && i.line <= doc.endLine || (i.line === 0 && doc.index === 0));
    resources.push({ object, kind, ...(mine.length ? { invalid: validationError(mine.map(fieldOf)) } : {}) });
  }
  return { ok: true, resources };
}

function fieldOf(issue: Issue): { path: string; message: string } {
  return { path: issue.path, message: issue.message };
}

function toObject(doc: LoadedDocument, kind: CtlKind, validator: ValidationPort): CalicoObject {
  const meta = (typeof doc.value['metadata'] === 'object' && doc.value['metadata'] !== null ? doc.value['metadata'] : {}) as Record<string, unknown>;
  const spec = (typeof doc.value['spec'] === 'object' && doc.value['spec'] !== null ? doc.value['spec'] : {}) as JsonObject;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const map = (v: unknown): Record<string, string> | undefined => (typeof v === 'object' && v !== null ? (v as Record<string, string>) : undefined);
  const manifest: Manifest = {
    apiVersion: CALICO_API_VERSION,
    kind: kind.kind,
    metadata: {
      name: str(meta['name']) ?? '',
      ...(str(meta['namespace']) ? { namespace: str(meta['namespace']) } : {}),
      ...(map(meta['labels']) ? { labels: map(meta['labels']) } : {}),
      ...(map(meta['annotations']) ? { annotations: map(meta['annotations']) } : {}),
    },
    spec,
  };
  const normalized = kind.kindId ? validator.normalize(kind.kindId, manifest) : manifest;
  const resourceVersion = str(meta['resourceVersion']);
  return {
    apiVersion: CALICO_API_VERSION,
    kind: kind.kind,
    metadata: { ...normalized.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: normalized.spec,
  };
}

/** calicoctl's handleNamespace: fills in `-n` or `default`, rejects namespaces on global kinds. */
function withNamespace(r: InputResource, cmd: CtlCommand): { ok: true; object: CalicoObject } | { ok: false; error: CtlError } {
  const resNs = r.object.metadata.namespace;
  const cliNs = cmd.namespace;
  if (!r.kind.namespaced) {
    if (resNs) return { ok: false, error: { kind: 'datastore', message: `namespace should not be specified for a non-namespaced resource. ${r.kind.kind} is not a namespaced resource` } };
    if (cliNs) return { ok: false, error: { kind: 'datastore', message: `${r.kind.kind} is not namespaced` } };
    return { ok: true, object: r.object };
  }
  if (resNs && cliNs && resNs !== cliNs) {
    return { ok: false, error: { kind: 'datastore', message: `resource namespace does not match client namespace. ${resNs} != ${cliNs}` } };
  }
  return { ok: true, object: { ...r.object, metadata: { ...r.object.metadata, namespace: resNs ?? cliNs ?? 'default' } } };
}

async function runBatch(o: { verb: BatchResult['verb']; cmd: CtlCommand; ops: ResourceOps; resources: readonly InputResource[]; mode: FailureMode }): Promise<CtlOutcome> {
  // replace keeps upstream's stop-on-error in both modes (its loop is not the collecting one).
  const mode: FailureMode = o.verb === 'replace' ? 'stop' : o.mode;
  const kinds = new Set(o.resources.map((r) => r.kind.kind));
  const singleKind = kinds.size === 1 ? [...kinds][0] ?? '' : '';
  let handled = 0;
  const errors: string[] = [];
  for (const r of o.resources) {
    const outcome = await runOne(o.verb, o.cmd, o.ops, r).catch((err: unknown): OpResult<unknown> => ({ ok: false, error: { kind: 'datastore', message: errorText(err) } }));
    if (outcome.ok) {
      handled += 1;
      continue;
    }
    errors.push(outcome.error.message);
    if (mode === 'stop') break;
  }
  return summarize({ verb: o.verb, total: o.resources.length, handled, singleKind, errors, mode });
}

async function runOne(verb: BatchResult['verb'], cmd: CtlCommand, ops: ResourceOps, r: InputResource): Promise<OpResult<unknown>> {
  const placed = withNamespace(r, cmd);
  if (!placed.ok) return placed;
  const obj = placed.object;
  if (verb === 'delete') {
    const res = await ops.delete({ kind: r.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) });
    return !res.ok && res.error.kind === 'does-not-exist' && cmd.skipNotExists ? { ok: true, value: obj } : res;
  }
  if (r.invalid) return { ok: false, error: r.invalid };
  if (verb === 'validate') return { ok: true, value: obj };
  if (verb === 'create') {
    const res = await ops.create(obj);
    return !res.ok && res.error.kind === 'already-exists' && cmd.skipExists ? { ok: true, value: obj } : res;
  }
  if (verb === 'replace') return ops.update(obj);
  return ops.apply(obj);
}

async function runDeleteByName(cmd: CtlCommand, ops: ResourceOps, version: CalicoVersion, mode: FailureMode): Promise<CtlOutcome> {
  const kind = cmd.kind === undefined ? undefined : ctlKindByAlias(cmd.kind, version);
  if (!kind) return fatal(`resource type '${cmd.kind ?? ''}' is not supported`);
  const resources: InputResource[] = cmd.names.map((name) => ({
    kind,
    object: { apiVersion: CALICO_API_VERSION, kind: kind.kind, metadata: { name }, spec: {} },
  }));
  return runBatch({ verb: 'delete', cmd, ops, resources, mode });
}

async function runVersion(o: { api: KubeApi; clientVersion: string }): Promise<CtlOutcome> {
  const lines = [
    { stream: 'stdout' as const, text: `Client Version:    ${o.clientVersion}` },
    { stream: 'stdout' as const, text: 'Git commit:        kube-sim' },
  ];
  const cluster = await readClusterVersion(o.api).catch(() => undefined);
  if (cluster?.ok && cluster.version !== undefined) {
    lines.push({ stream: 'stdout', text: `Cluster Version:   ${cluster.version}` }, { stream: 'stdout', text: 'Cluster Type:      k8s,kdd' });
  } else {
    lines.push({ stream: 'stdout', text: 'Unable to retrieve Cluster Version or Type: connection is unauthorized or unreachable' });
  }
  return { exitCode: 0, lines };
}
