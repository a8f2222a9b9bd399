// meta.k8s.io/v1 Table responses, which kubectl asks for (`Accept: ...;as=Table;g=meta.k8s.io`)
// to print `kubectl get` columns. Columns follow the real server's printers for the kinds users
// look at most (pods, namespaces, configmaps, ...); other kinds get NAME and AGE like CRDs.
import { isObj, metaOf, str } from './meta.js';
import type { ResourceType } from './resource-types.js';
import type { Json } from './status.js';

interface Column {
  name: string;
  type: string;
  format?: string;
  cell(o: Json, now: Date): unknown;
}

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => /(^|;)\s*as=Table/.test(part) && part.includes('g=meta.k8s.io'));
}

export function age(o: Json, now: Date): string {
  const created = Date.parse(str(metaOf(o)['creationTimestamp']));
  if (Number.isNaN(created)) return '<unknown>';
  const s = Math.max(0, Math.floor((now.getTime() - created) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => str(metaOf(o)['name']) };
const AGE: Column = { name: 'Age', type: 'string', cell: age };
const count = (v: unknown): number => (isObj(v) ? Object.keys(v).length : 0);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);

function podStatus(o: Json): { ready: string; status: string; restarts: number } {
  const spec = isObj(o['spec']) ? o['spec'] : {};
  const status = isObj(o['status']) ? o['status'] : {};
  const containers = list(spec['containers']);
  const statuses = list(status['containerStatuses']);
  const inits = list(status['initContainerStatuses']);
  let reason = str(status['reason']) || str(status['phase']);
  let restarts = 0;
  let initializing = false;
  inits.forEach((c, i) => {
    restarts += Number(c['restartCount'] ?? 0);
    if (initializing) return;
    const state = isObj(c['state']) ? c['state'] : {};
    const term = isObj(state['terminated']) ? state['terminated'] : undefined;
    const wait = isObj(state['waiting']) ? state['waiting'] : undefined;
    if (term && Number(term['exitCode'] ?? 0) === 0) return;
    initializing = true;
    if (term) reason = `Init:${str(term['reason']) || `ExitCode:${Number(term['exitCode'] ?? 0)}`}`;
    else if (wait && str(wait['reason']) && str(wait['reason']) !== 'PodInitializing') reason = `Init:${str(wait['reason'])}`;
    else reason = `Init:${i}/${list(spec['initContainers']).length}`;
  });
  let ready = 0;
  if (!initializing) {
    for (const c of [...statuses].reverse()) {
      restarts += Number(c['restartCount'] ?? 0);
      const state = isObj(c['state']) ? c['state'] : {};
      const term = isObj(state['terminated']) ? state['terminated'] : undefined;
      const wait = isObj(state['waiting']) ? state['waiting'] : undefined;
      if (wait && str(wait['reason'])) reason = str(wait['reason']);
      else if (term) reason = str(term['reason']) || `ExitCode:${Number(term['exitCode'] ?? 0)}`;
      else if (c['ready'] === true) ready++;
    }
  }
  if (metaOf(o)['deletionTimestamp']) reason = 'Terminating';
  return { ready: `${ready}/${containers.length}`, status: reason, restarts };
}

function columnsFor(t: ResourceType): Column[] {
  const k = `${t.group}/${t.resource}`;
  switch (k) {
    case '/pods':
      return [
        NAME,
        { name: 'Ready', type: 'string', cell: (o) => podStatus(o).ready },
        { name: 'Status', type: 'string', cell: (o) => podStatus(o).status },
        { name: 'Restarts', type: 'string', cell: (o) => String(podStatus(o).restarts) },
        AGE,
      ];
    case '/namespaces':
      return [NAME, { name: 'Status', type: 'string', cell: (o) => str((isObj(o['status']) ? o['status'] : {})['phase']) }, AGE];
    case '/configmaps':
      return [NAME, { name: 'Data', type: 'integer', cell: (o) => count(o['data']) + count(o['binaryData']) }, AGE];
    case '/secrets':
      return [NAME, { name: 'Type', type: 'string', cell: (o) => str(o['type']) }, { name: 'Data', type: 'integer', cell: (o) => count(o['data']) }, AGE];
    case '/serviceaccounts':
      return [NAME, { name: 'Secrets', type: 'integer', cell: (o) => list(o['secrets']).length }, AGE];
    case 'networking.k8s.io/networkpolicies':
      return [
        NAME,
        {
          name: 'Pod-Selector',
          type: 'string',
          cell: (o) => {
            const sel = isObj(o['spec']) && isObj(o['spec']['podSelector']) ? o['spec']['podSelector'] : {};
            const ml = isObj(sel['matchLabels']) ? sel['matchLabels'] : {};
            const text = Object.entries(ml).map(([a, b]) => `${a}=${String(b)}`).join(',');
            return text || '<none>';
          },
        },
        AGE,
      ];
    case 'coordination.k8s.io/leases':
      return [NAME, { name: 'Holder', type: 'string', cell: (o) => str((isObj(o['spec']) ? o['spec'] : {})['holderIdentity']) }, AGE];
    default:
      return [NAME, AGE];
  }
}

function partial(o: Json, includeObject: string): Json | undefined {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metaOf(o) };
}

/** A Table of `items`; `resourceVersion`/`continue` from the list they came from. */
export function toTable(t: ResourceType, items: Json[], o: { now: Date; includeObject: string | null; listMeta?: Json }): Json {
  const cols = columnsFor(t);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: o.listMeta ?? {},
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: 0 })),
    rows: items.map((item) => {
      const obj = partial(item, o.includeObject ?? 'Metadata');
      return { cells: cols.map((c) => c.cell(item, o.now)), ...(obj ? { object: obj } : {}) };
    }),
  };
}

