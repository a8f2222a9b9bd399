// A PRIVATE redis-server for tests that stop or restart Redis (the shared one on 6379 serves the
// other tests): started in the foreground on a given port, resolved once it accepts connections.
import { spawn, type ChildProcess } from 'node:child_process';

export interface PrivateRedis {
  readonly child: ChildProcess;
  /** Stops it: SIGTERM is a clean shutdown (a pod restart), SIGKILL a crash. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** `args` are redis-server options; `--port`, `--bind` and `--daemonize no` are added. */
export async function startPrivateRedis(options: { port: number; args: readonly string[] }): Promise<PrivateRedis> {
  const child = spawn('redis-server', [...options.args, '--port', String(options.port), '--bind', '127.0.0.1', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
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
  child.removeAllListeners('exit');
  return {
    child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
