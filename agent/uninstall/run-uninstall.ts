// `calico-gitops uninstall` as steps over small ports: pause sync → list what we own → (with
// --yes) wait for the queue to go quiet → delete through the executor → wait until the live watch
// shows it gone → remove the agent's own objects and the cluster's Redis keys (unless keepAgent).
// Every step is safe to run again, so a run that failed half-way is finished by running it again.
import type { ExecutorPort, VerifyPort } from '../apply/ports.js';
import { displayKey } from '../domain/resource.js';
import type { LiveView, PlanStep } from '../domain/state.js';
import { describeAgentObject, type AgentObjectRef } from './agent-objects.js';
import { ownedDeletes } from './owned.js';

export interface UninstallPorts {
  /** The live view of every managed kind; resolves false when it does not sync in time. */
  readonly live: LiveView & { waitForSync(timeoutMs: number): Promise<boolean> };
  /** Sets the sync-pause flag the leader honours (planning and heals). */
  pause(): Promise<void>;
  /** Removes queued jobs and waits until none runs (so no job re-creates what we delete). */
  quiesce(): Promise<void>;
  readonly executor: ExecutorPort;
  readonly verifier: VerifyPort;
  /** The agent's objects that exist now. */
  existingAgentObjects(): Promise<AgentObjectRef[]>;
  /** Deletes one agent object (gone already is fine). */
  removeAgentObject(ref: AgentObjectRef): Promise<void>;
  /** Deletes leftover executor pods and ConfigMaps; returns their names. */
  sweepExecutorObjects(): Promise<string[]>;
  /**
   * Waits until no agent or worker process of the cluster is connected to its queue (the agent's
   * pods end after their Deployments are deleted, gracefully: a cycle or a worker still running
   * would write keys again after they are cleared). Resolves how many are still connected then.
   */
  waitForAgentsGone(timeoutMs: number): Promise<number>;
  /** Deletes every Redis key of the cluster (the pause flag too); returns how many. */
  clearRedis(): Promise<number>;
  /** Progress lines for the operator. */
  say(line: string): void;
}

export interface UninstallOptions {
  readonly instance: string;
  readonly cluster: string;
  /** Delete for real; without it only the list is shown and nothing changes. */
  readonly yes: boolean;
  /** Keep the agent's own objects and Redis keys (sync stays paused). */
  readonly keepAgent: boolean;
  readonly syncTimeoutMs: number;
  readonly verifyTimeoutMs: number;
  /** How long the agent's processes may take to stop once their Deployments are deleted. */
  readonly agentStopTimeoutMs: number;
  /** Job id of the executor pod (names it). */
  readonly jobId: string;
}

export type UninstallOutcome =
  | { readonly kind: 'listed'; readonly owned: readonly PlanStep[]; readonly agent: readonly AgentObjectRef[] }
  | { readonly kind: 'done'; readonly deleted: number; readonly agentRemoved: number; readonly redisKeys: number }
  /** Stopped half-way: what is left, and why. Running it again continues. */
  | { readonly kind: 'incomplete'; readonly reason: string; readonly left: readonly string[] };

export async function runUninstall(ports: UninstallPorts, o: UninstallOptions): Promise<UninstallOutcome> {
  if (!(await ports.live.waitForSync(o.syncTimeoutMs))) {
    return { kind: 'incomplete', reason: `the live view of the cluster did not sync within ${Math.round(o.syncTimeoutMs / 1000)}s; nothing deleted`, left: [] };
  }
  if (!o.yes) {
    return { kind: 'listed', owned: ownedDeletes({ live: ports.live.list(), instance: o.instance }).steps, agent: o.keepAgent ? [] : await ports.existingAgentObjects() };
  }
  await ports.pause();
  ports.say('sync paused: the agent plans and heals nothing from now on');
  await ports.quiesce();
  // Listed after the queue is quiet: a job that was running may have created one more object.
  const { steps } = ownedDeletes({ live: ports.live.list(), instance: o.instance });
  const ownedLeft = (): string[] => ownedDeletes({ live: ports.live.list(), instance: o.instance }).steps.map((s) => displayKey(s.key));
  if (steps.length > 0) {
    ports.say(`deleting ${steps.length} owned object${steps.length === 1 ? '' : 's'} through the executor`);
    let failed: string[];
    try {
      const results = await ports.executor.execute({ steps, jobId: o.jobId });
      failed = results.filter((r) => r.outcome !== 'ok' && !(r.outcome === 'conflict' && /not found|does not exist/i.test(r.message))).map((r) => `${displayKey(r.key)}: ${r.outcome}: ${r.message}`);
    } catch (err) {
      return { kind: 'incomplete', reason: `the executor failed: ${err instanceof Error ? err.message : String(err)}`, left: ownedLeft() };
    }
    const verified = await ports.verifier.verify({ steps, timeoutMs: o.verifyTimeoutMs });
    if (failed.length > 0 || !verified.ok) {
      const reason = failed.length > 0 ? `some deletes failed: ${failed.slice(0, 3).join('; ')}${failed.length > 3 ? ` and ${failed.length - 3} more` : ''}` : `the live view still shows owned objects after ${Math.round(o.verifyTimeoutMs / 1000)}s`;
      return { kind: 'incomplete', reason, left: ownedLeft() };
    }
  }
  ports.say(`no owned object left (${steps.length} deleted)`);
  if (o.keepAgent) return { kind: 'done', deleted: steps.length, agentRemoved: 0, redisKeys: 0 };

  const swept = await ports.sweepExecutorObjects().catch(() => []);
  let removed = swept.length;
  for (const ref of await ports.existingAgentObjects()) {
    try {
      await ports.removeAgentObject(ref);
      removed += 1;
    } catch (err) {
      const left = (await ports.existingAgentObjects().catch(() => [ref])).map(describeAgentObject);
      return { kind: 'incomplete', reason: `removing ${describeAgentObject(ref)} failed: ${err instanceof Error ? err.message : String(err)}`, left };
    }
  }
  const connected = await ports.waitForAgentsGone(o.agentStopTimeoutMs);
  if (connected > 0) {
    const left = `${connected} agent or worker process${connected === 1 ? ' is' : 'es are'} still connected to the cluster's queue`;
    return { kind: 'incomplete', reason: `${left} after ${Math.round(o.agentStopTimeoutMs / 1000)}s: the cluster's Redis keys are kept (a running agent writes them again); stop it`, left: [`Redis keys of cluster ${o.cluster}`] };
  }
  // Last: the pause flag goes with them, and nothing is left to resume.
  const redisKeys = await ports.clearRedis();
  return { kind: 'done', deleted: steps.length, agentRemoved: removed, redisKeys };
}
