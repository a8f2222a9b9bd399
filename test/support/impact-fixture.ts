// An impact report as the agent stores it, with values a hostile repository could write (an
// intent name, a file name) carrying markup, for the page's tests.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ImpactReport } from '../../agent/connectivity/impact-report.js';
import { createHttpServer } from '../../agent/http/server.js';
import { IMPACT_PAGE_HEADERS, impactPageFor, renderUnknownImpactPage } from '../../agent/report/impact-page.js';
import type { ImpactStore } from '../../agent/report/impact-store.js';

export const XSS = `<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`;

const NONE = { TCP: '', UDP: '', SCTP: '', ICMP: false, ICMPv6: false, other: false };

export function impactFixture(revision: string): ImpactReport {
  return {
    revision,
    cluster: 'prod',
    computedAt: '2026-12-02T15:00:00.000Z',
    intents: {
      violated: [{ message: `intent "${XSS}" (expect deny) is violated: test1/web → test2/db allows TCP 5432`, file: '.calico-gitops/intents.yaml', line: 5 }],
      warnings: [],
    },
    diff: {
      opens: 1,
      closes: 1,
      omitted: 0,
      changes: [
        {
          from: 'test1/web',
          to: 'test2/db',
          change: 'added',
          before: NONE,
          after: { ...NONE, TCP: '5432' },
          opened: { ...NONE, TCP: '5432' },
          closed: NONE,
          openedText: 'TCP 5432',
          closedText: '',
          openedBy: `GlobalNetworkPolicy/allow-db ingress[0] ${XSS}`,
          closedBy: '',
          why: { opened: {}, closed: {} },
        },
        {
          from: 'test1/web',
          to: 'kube-system/coredns',
          change: 'changed',
          before: { ...NONE, TCP: '53', UDP: '53' },
          after: { ...NONE, UDP: '53' },
          opened: NONE,
          closed: { ...NONE, TCP: '53' },
          openedText: '',
          closedText: 'TCP 53',
          openedBy: '',
          closedBy: 'GlobalNetworkPolicy/no-tcp-dns egress[0]',
          why: { opened: {}, closed: {} },
        },
      ],
    },
  };
}

/** The agent's HTTP server serving `/impact/<sha>` from the store, on a free loopback port. */
export async function serveImpactPage(store: Pick<ImpactStore, 'find'>): Promise<{ server: Server; base: string }> {
  const server = createHttpServer({
    logger: pino({ level: 'silent' }),
    html: { headers: IMPACT_PAGE_HEADERS, notFound: renderUnknownImpactPage() },
    handlers: {
      readiness: async () => ({}),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      status: async () => ({}),
      impactPage: async (sha) => impactPageFor(sha, await store.find(sha)),
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
