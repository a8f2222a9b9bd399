// Private redis-server processes for tests that stop, restart or fail over Redis (the shared one on
// 6379 serves every other test): one server, or a real Redis Cluster of three masters with one
// replica each, on free ports in temporary directories. Every process is killed by `stop()`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RedisServerOptions {
  readonly port: number;
  /** Data directory (a new temporary one when absent). */
  readonly dir?: string;
  readonly password?: string;
  /** `appendonly yes` with fsync on every write: a restart keeps everything. */
  readonly persistence?: boolean;
  readonly extraArgs?: readonly string[];
}

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** A crash: SIGKILL, no save. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts redis-server in the foreground and resolves once it accepts connections. */
export async function startRedisServer(o: RedisServerOptions): Promise<RedisServer> {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'cg-redis-')));
  const args = [
    '--port', String(o.port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--maxmemory-policy', 'noeviction',
    ...(o.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(o.password ? ['--requirepass', o.password] : []),
    ...(o.extraArgs ?? []),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)}: ${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  child.removeAllListeners('exit');
  return {
    port: o.port,
    dir,
    child,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Free ports whose cluster bus port (+10000) is free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (ports.includes(port)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) ports.push(port);
  }
  return ports;
}

export interface ClusterNodeInfo {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** For a replica, its master's id. */
  readonly masterId: string | undefined;
  /** Slot ranges a master serves. */
  readonly slots: readonly (readonly [number, number])[];
}

export interface RedisClusterFixture {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` */
  readonly seedUrl: string;
  readonly ports: readonly number[];
  /** `redis-cli -p PORT ARGS…` against one node. */
  cli(port: number, args: readonly string[]): Promise<string>;
  nodes(): Promise<ClusterNodeInfo[]>;
  /** The master serving the slot of `key`, and its replica. */
  ownerOf(key: string): Promise<{ master: ClusterNodeInfo; replica: ClusterNodeInfo }>;
  /** `CLUSTER FAILOVER` on the replica of the slot's master; resolves once the replica is master. */
  failover(key: string): Promise<{ from: number; to: number }>;
  /** Kills every node and removes the data directories. */
  stop(): Promise<void>;
}

/** Three masters with one replica each, formed with `redis-cli --cluster create`. */
export async function startRedisCluster(o: { nodeTimeoutMs?: number } = {}): Promise<RedisClusterFixture> {
  const ports = await clusterPorts(6);
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await Promise.all(servers.map((s) => rm(s.dir, { recursive: true, force: true })));
  };
  const cli = async (port: number, args: readonly string[]) => (await run('redis-cli', ['-p', String(port), ...args])).stdout;
  try {
    for (const port of ports) {
      servers.push(
        await startRedisServer({
          port,
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(o.nodeTimeoutMs ?? 2_000)],
        }),
      );
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes']);
    await until('the cluster to be ok on every node', async () => {
      for (const port of ports) {
        if (!(await cli(port, ['cluster', 'info'])).includes('cluster_state:ok')) return false;
      }
      const nodes = await readNodes(cli, ports[0] ?? 0);
      return nodes.filter((n) => n.role === 'replica' && n.masterId).length === 3;
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const nodes = () => readNodes(cli, ports[0] ?? 0);
  const ownerOf = async (key: string) => {
    const slot = Number((await cli(ports[0] ?? 0, ['cluster', 'keyslot', key])).trim());
    const all = await nodes();
    const master = all.find((n) => n.role === 'master' && n.slots.some(([lo, hi]) => slot >= lo && slot <= hi));
    const replica = all.find((n) => n.role === 'replica' && n.masterId === master?.id);
    if (!master || !replica) throw new Error(`no master/replica pair found for slot ${slot}`);
    return { master, replica };
  };
  return {
    seedUrl: `redis+cluster://${ports.slice(0, 3).map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    cli,
    nodes,
    ownerOf,
    failover: async (key) => {
      const { master, replica } = await ownerOf(key);
      await cli(replica.port, ['cluster', 'failover']);
      await until(`node ${replica.port} to take over from ${master.port}`, async () => {
        const role = await cli(replica.port, ['role']);
        const info = await cli(replica.port, ['cluster', 'info']);
        return role.startsWith('master') && info.includes('cluster_state:ok');
      });
      return { from: master.port, to: replica.port };
    },
    stop,
  };
}

async function readNodes(cli: (port: number, args: readonly string[]) => Promise<string>, port: number): Promise<ClusterNodeInfo[]> {
  const text = await cli(port, ['cluster', 'nodes']);
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '-', , , , , ...ranges] = line.split(' ');
      return {
        slots: ranges
          .filter((r) => /^\d/.test(r))
          .map((r) => {
            const [lo = '0', hi = lo] = r.split('-');
            return [Number(lo), Number(hi)] as const;
          }),
        id,
        port: Number(addr.split('@')[0]?.split(':')[1]),
        role: flags.includes('master') ? ('master' as const) : ('replica' as const),
        masterId: master === '-' ? undefined : master,
      };
    });
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
