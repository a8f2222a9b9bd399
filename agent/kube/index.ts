export { createKubeClients, type KubeClientOptions, type KubeClients } from './client.js';
export { toKubeError, isNotFound, type KubeErrorContext } from './errors.js';
export { detectCluster, apiModeFromGroups, storageFor, CALICO_V3_GROUP, type ClusterInfo, type DetectOptions } from './detect.js';
export { kubeLeaseStore, type LeaseRecord, type LeaseStore } from './lease-store.js';
export { LeaderElector, abortableSleep, type LeaderElectionOptions, type AttemptResult } from './leader-election.js';
