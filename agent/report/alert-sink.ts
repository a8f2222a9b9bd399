// Drift alerts: a one-method port, a webhook implementation posting plain JSON or a
// Slack-compatible payload ({text, blocks}), a background sender that retries a dead endpoint
// without ever holding up the caller, and the port for Kubernetes Events.
// The webhook URL is a secret (Slack puts its token in the path): errors name only the host.
import type { AlertFormat } from '../config/options.js';
import type { DriftAlert } from '../drift/describe.js';
import type { Logger, Timers } from '../domain/runtime.js';
import { ForgeError } from './forge-error.js';
import type { FetchFn } from './forge-http.js';


export interface AlertSink {
  send(alert: DriftAlert): Promise<void>;
}

/** Pure: Slack incoming-webhook payload (also accepted by Mattermost, Rocket.Chat, Teams workflows). */
export function slackPayload(alert: DriftAlert): { text: string; blocks: unknown[] } {
  const icon = alert.severity === 'critical' ? ':rotating_light:' : alert.severity === 'warning' ? ':warning:' : ':white_check_mark:';
  return {
    text: `${alert.title}\n${alert.text}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: alert.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${alert.text}`.slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `cluster *${alert.cluster}* · revision \`${alert.revision.slice(0, 12)}\` · ${alert.state}` }] },
    ],
  };
}

/** Pure: the body for a format (`json`: the alert itself, every resource with its field manager). */
export function alertPayload(alert: DriftAlert, format: AlertFormat): unknown {
  return format === 'slack' ? slackPayload(alert) : { kind: 'calico-gitops.drift', ...alert };
}

export interface WebhookAlertSinkOptions {
  /** Read on every send, so a rotated secret file takes effect without a restart. */
  readonly url: () => Promise<string>;
  readonly format: AlertFormat;
  readonly fetch: FetchFn;
  readonly timeoutMs?: number;
}

export class WebhookAlertSink implements AlertSink {
  readonly #o: WebhookAlertSinkOptions;
  constructor(options: WebhookAlertSinkOptions) {
    this.#o = options;
  }
  async send(alert: DriftAlert): Promise<void> {
    const url = await this.#o.url();
    const host = safeHost(url);
    let status: number;
    try {
      const res = await this.#o.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alertPayload(alert, this.#o.format)),
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

export interface BackgroundAlertsOptions {
  readonly sink: AlertSink;
  readonly logger: Logger;
  readonly timers: Timers;
  /** Tries per alert, the first included (default 6), with doubling delays from `firstDelayMs`. */
  readonly attempts?: number;
  readonly firstDelayMs?: number;
  /** Called after each alert is delivered (metrics, bench). */
  readonly onDelivered?: (alert: DriftAlert) => void;
}

/** Sends in order in the background; a failing endpoint is logged and retried, never awaited by callers. */
export class BackgroundAlerts {
  readonly #o: BackgroundAlertsOptions;
  #chain: Promise<void> = Promise.resolve();
  constructor(options: BackgroundAlertsOptions) {
    this.#o = options;
  }
  send(alert: DriftAlert): void {
    this.#chain = this.#chain.then(() => this.#deliver(alert));
  }
  /** Resolves when everything handed in so far was delivered or given up (shutdown, tests). */
  idle(): Promise<void> {
    return this.#chain;
  }
  async #deliver(alert: DriftAlert): Promise<void> {
    const attempts = this.#o.attempts ?? 6;
    let delay = this.#o.firstDelayMs ?? 1_000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#o.sink.send(alert);
        this.#o.onDelivered?.(alert);
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (attempt >= attempts) {
          this.#o.logger.error({ err: message, state: alert.state, episode: alert.episode, attempts }, 'drift alert not delivered; giving up on it');
          return;
        }
        this.#o.logger.warn({ err: message, state: alert.state, retryInMs: delay, attempt }, 'drift alert not delivered; retrying');
        await new Promise<void>((resolve) => this.#o.timers.setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }
}

/** A Kubernetes Event about an object; the implementation lives with the kube client. */
export interface KubeEvent {
  readonly involved: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace?: string; readonly uid?: string };
  readonly type: 'Normal' | 'Warning';
  /** UpperCamelCase, e.g. `DriftDetected`, `DriftHealed`. */
  readonly reason: string;
  readonly message: string;
}

export interface KubeEventWriter {
  record(event: KubeEvent): Promise<void>;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured URL';
  }
}
