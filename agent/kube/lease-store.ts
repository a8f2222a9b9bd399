// The Lease operations leader election needs, on coordination.k8s.io/v1.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';

export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: Date;
  readonly renewTime: Date;
  readonly leaseTransitions: number;
  /** Absent on create; required on replace (optimistic concurrency). */
  readonly resourceVersion?: string;
}

/** Errors are KubeErrors: 404 → `read` returns undefined; 409 from create/replace means another candidate won. */
/** True when the Lease names a holder whose term has not run out at `now`. */
export function leaseIsHeld(lease: LeaseRecord | undefined, now: Date): boolean {
  if (!lease?.holderIdentity) return false;
  return lease.renewTime.getTime() + lease.leaseDurationSeconds * 1000 > now.getTime();
}

export interface LeaseStore {
  read(): Promise<LeaseRecord | undefined>;
  create(record: LeaseRecord): Promise<LeaseRecord>;
  replace(record: LeaseRecord): Promise<LeaseRecord>;
}

export function kubeLeaseStore(clients: KubeClients, lease: { namespace: string; name: string }): LeaseStore {
  const api = clients.coordination;
  const toBody = (r: LeaseRecord): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: lease.name, namespace: lease.namespace, ...(r.resourceVersion ? { resourceVersion: r.resourceVersion } : {}) },
    spec: {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      acquireTime: new V1MicroTime(r.acquireTime.getTime()),
      renewTime: new V1MicroTime(r.renewTime.getTime()),
      leaseTransitions: r.leaseTransitions,
    },
  });
  const action = (verb: string): { action: string; server: string } => ({ action: `${verb} lease ${lease.namespace}/${lease.name}`, server: clients.server });
  return {
    async read() {
      try {
        return fromLease(await api.readNamespacedLease({ name: lease.name, namespace: lease.namespace }));
      } catch (err) {
        const e = toKubeError(err, action('read'));
        if (e.status === 404) return undefined;
        throw e;
      }
    },
    async create(record) {
      try {
        return fromLease(await api.createNamespacedLease({ namespace: lease.namespace, body: toBody(record) }));
      } catch (err) {
        throw toKubeError(err, action('create'));
      }
    },
    async replace(record) {
      try {
        return fromLease(await api.replaceNamespacedLease({ name: lease.name, namespace: lease.namespace, body: toBody(record) }));
      } catch (err) {
        throw toKubeError(err, action('replace'));
      }
    },
  };
}

function fromLease(l: V1Lease): LeaseRecord {
  const s = l.spec ?? {};
  const time = (t: Date | string | undefined): Date => (t === undefined ? new Date(0) : new Date(t));
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: time(s.acquireTime),
    renewTime: time(s.renewTime),
    leaseTransitions: s.leaseTransitions ?? 0,
    ...(l.metadata?.resourceVersion ? { resourceVersion: l.metadata.resourceVersion } : {}),
  };
}
