// Drift alerts: a one-method port, a webhook implementation posting Slack-compatible JSON
// ({text, blocks}), and the port for Kubernetes Events (implemented where the kube client lives).
// The webhook URL is a secret (Slack puts its token in the path): errors name only the host.
import type { Logger } from '../domain/runtime.js';
import { ForgeError } from './forge-error.js';
import type { FetchFn } from './forge-http.js';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface Alert {
  readonly title: string;
  /** Plain text, one line per fact. */
  readonly text: string;
  readonly severity: AlertSeverity;
  readonly cluster: string;
  readonly revision?: string;
  /** Resource keys concerned (`Kind/namespace/name`). */
  readonly resources?: readonly string[];
}

export interface AlertSink {
  send(alert: Alert): Promise<void>;
}

export interface DriftItem {
  readonly resource: string;
  /** `modified`: differs from Git; `deleted`: removed by hand; `added`: owned but no longer in Git. */
  readonly change: 'modified' | 'deleted' | 'added';
}

/** Pure: the alert for a set of drifted resources. */
export function driftAlert(input: { cluster: string; revision: string; items: readonly DriftItem[]; healed: boolean }): Alert {
  const n = input.items.length;
  const shown = input.items.slice(0, 20).map((i) => `• ${i.resource} (${i.change})`);
  if (n > shown.length) shown.push(`… and ${n - shown.length} more`);
  return {
    title: `Calico drift on ${input.cluster}: ${n} resource${n === 1 ? '' : 's'} ${input.healed ? 'restored from Git' : 'differ from Git'}`,
    text: [`applied revision ${input.revision.slice(0, 12)}`, ...shown].join('\n'),
    severity: input.healed ? 'warning' : 'critical',
    cluster: input.cluster,
    revision: input.revision,
    resources: input.items.map((i) => i.resource),
  };
}

/** Pure: Slack incoming-webhook payload (also accepted by Mattermost, Rocket.Chat, Teams workflows). */
export function slackPayload(alert: Alert): { text: string; blocks: unknown[] } {
  const icon = alert.severity === 'critical' ? ':rotating_light:' : alert.severity === 'warning' ? ':warning:' : ':information_source:';
  return {
    text: `${alert.title}\n${alert.text}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: alert.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${alert.text}`.slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `cluster *${alert.cluster}*${alert.revision ? ` · revision \`${alert.revision.slice(0, 12)}\`` : ''}` }] },
    ],
  };
}

export interface WebhookAlertSinkOptions {
  readonly url: string;
  readonly fetch: FetchFn;
  readonly timeoutMs?: number;
}

export class WebhookAlertSink implements AlertSink {
  readonly #o: WebhookAlertSinkOptions;
  constructor(options: WebhookAlertSinkOptions) {
    this.#o = options;
  }
  async send(alert: Alert): Promise<void> {
    const host = safeHost(this.#o.url);
    let status: number;
    try {
      const res = await this.#o.fetch(this.#o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackPayload(alert)),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      });
      status = res.status;
      if (res.ok) return;
    } catch (err) {
      throw new ForgeError(`alert webhook at ${host} failed: ${err instanceof Error ? err.name : 'error'}`, { status: 0 });
    }
    throw new ForgeError(`alert webhook at ${host} returned ${status}`, { status });
  }
}

/** A Kubernetes Event about an object; the implementation lives with the kube client. */
export interface KubeEvent {
  readonly involved: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly type: 'Normal' | 'Warning';
  /** UpperCamelCase, e.g. `DriftDetected`, `DriftHealed`. */
  readonly reason: string;
  readonly message: string;
}

export interface KubeEventWriter {
  record(event: KubeEvent): Promise<void>;
}

/** Sends to every sink; one failing sink does not stop the others (failures are logged). */
export class FanOutAlertSink implements AlertSink {
  readonly #sinks: readonly AlertSink[];
  readonly #logger: Logger;
  constructor(options: { sinks: readonly AlertSink[]; logger: Logger }) {
    this.#sinks = options.sinks;
    this.#logger = options.logger;
  }
  async send(alert: Alert): Promise<void> {
    const results = await Promise.allSettled(this.#sinks.map((s) => s.send(alert)));
    for (const r of results) {
      if (r.status === 'rejected') this.#logger.warn({ err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, 'alert not delivered');
    }
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured URL';
  }
}
