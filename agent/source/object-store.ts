// One long-lived `git cat-file --batch-command` (git ≥ 2.36) per mirror: an incremental read asks
// it for a commit, a few trees, sizes and blobs over a pipe instead of spawning git for each step
// (a spawn from the agent's big process costs 10–20 ms; a round trip on the pipe well under one).
// A running cat-file sees objects a later fetch adds, loose or in a new pack (git re-scans its
// packs when an object is not found). It is started on first use, started again if it exits, and
// ended by close(); it reads only the local mirror, so it gets no credentials.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ObjectStoreOptions {
  /** The bare mirror. */
  readonly cwd: string;
  /** The complete environment for git (see gitEnvironment in git-runner.ts). */
  readonly env: Readonly<Record<string, string>>;
  /** Kill cat-file when it is silent this long while a request waits for its answer. */
  readonly timeoutMs: number;
  /** Shutdown: ends the process and refuses further requests. */
  readonly signal?: AbortSignal;
}

export interface StoredObject {
  readonly type: string;
  readonly size: number;
  /** Present for `contents` requests. */
  readonly content?: Buffer;
}

interface Request {
  readonly op: 'info' | 'contents';
  readonly shas: readonly string[];
  readonly out: Map<string, StoredObject>;
  next: number;
  /** Whether any of the answer came: only a request with none is sent again. */
  answered: boolean;
  retried: boolean;
  readonly resolve: (out: Map<string, StoredObject>) => void;
  readonly reject: (err: Error) => void;
}

export class ObjectStore {
  readonly #o: ObjectStoreOptions;
  #child: ChildProcessWithoutNullStreams | undefined;
  #stderr = '';
  #buffer: Buffer = Buffer.alloc(0);
  #request: Request | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** One request at a time: answers come back in the order the commands were written. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Every process not yet gone (a killed one included), for close() to wait for. */
  readonly #running = new Map<ChildProcessWithoutNullStreams, Promise<void>>();

  constructor(options: ObjectStoreOptions) {
    this.#o = options;
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  get aborted(): boolean {
    return this.#o.signal?.aborted ?? false;
  }

  /** Type and size of each object; missing objects are left out. */
  info(shas: readonly string[]): Promise<Map<string, StoredObject>> {
    return this.#enqueue('info', shas);
  }

  /** Type, size and content of each object; missing objects are left out. */
  contents(shas: readonly string[]): Promise<Map<string, StoredObject>> {
    return this.#enqueue('contents', shas);
  }

  /** Ends the process (and waits for it); later requests fail. */
  async close(): Promise<void> {
    this.#closed = true;
    // End of input makes cat-file exit by itself; a hung one is killed.
    this.#child?.stdin.end();
    const kill = setTimeout(() => {
      for (const child of this.#running.keys()) child.kill('SIGKILL');
    }, 2_000);
    await Promise.all(this.#running.values());
    clearTimeout(kill);
  }

  #enqueue(op: Request['op'], shas: readonly string[]): Promise<Map<string, StoredObject>> {
    const run = this.#queue.then(() => this.#send(op, shas));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #send(op: Request['op'], shas: readonly string[]): Promise<Map<string, StoredObject>> {
    if (shas.length === 0) return Promise.resolve(new Map());
    if (this.#closed || this.aborted) return Promise.reject(new Error('the object store is closed'));
    // A sha is written as a command line: anything but hex would be another command.
    const bad = shas.find((s) => !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s));
    if (bad !== undefined) return Promise.reject(new Error(`not an object id: ${JSON.stringify(bad)}`));
    return new Promise((resolve, reject) => this.#write({ op, shas, out: new Map(), next: 0, answered: false, retried: false, resolve, reject }));
  }

  #write(request: Request): void {
    // One that exited meanwhile (its close event may not have come yet) is replaced.
    const live = this.#child && this.#child.exitCode === null && this.#child.signalCode === null ? this.#child : undefined;
    const child = live ?? this.#start();
    this.#request = request;
    this.#touch();
    child.stdin.write(request.shas.map((s) => `${request.op} ${s}\n`).join(''));
  }

  #start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', ['cat-file', '--batch-command'], { cwd: this.#o.cwd, env: { ...this.#o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    this.#stderr = '';
    this.#buffer = Buffer.alloc(0);
    let done: () => void = () => undefined;
    this.#running.set(child, new Promise((resolve) => (done = resolve)));
    // A killed process may still deliver output: only the current one's is read.
    child.stdout.on('data', (chunk: Buffer) => {
      if (this.#child === child) this.#received(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      // Only the end is kept: enough to say why it failed.
      if (this.#child === child) this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2_000);
    });
    child.stdin.on('error', () => undefined);
    const gone = (why: string): void => {
      if (this.#child !== child) return;
      const request = this.#request;
      // Died before answering (killed while idle, say): the request is sent once more to a new one.
      if (request && !request.answered && !request.retried && !this.#closed && !this.aborted) {
        this.#child = undefined;
        this.#write({ ...request, retried: true });
        return;
      }
      this.#fail(new Error(`git cat-file --batch-command ${why}${this.#stderr ? `: ${this.#stderr.trim()}` : ''}`));
    };
    child.on('error', (err) => gone(`failed (${err.message})`));
    child.on('close', (code, signal) => {
      gone(`exited (${signal ?? code})`);
      this.#running.delete(child);
      done();
    });
    // An idle helper must not keep the agent alive; a waiting request keeps its timer running.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void }).unref?.();
    return child;
  }

  #touch(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fail(new Error(`git cat-file --batch-command gave no answer for ${this.#o.timeoutMs} ms`)), this.#o.timeoutMs);
  }

  // Ends the current process too: half an answer left in the pipe would be read as the start of
  // the next one. The next request starts another.
  #fail(err: Error): void {
    clearTimeout(this.#timer);
    const request = this.#request;
    this.#request = undefined;
    this.#child?.kill('SIGKILL');
    this.#child = undefined;
    request?.reject(err);
  }

  #received(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const request = this.#request;
    if (!request) {
      this.#fail(new Error('git cat-file --batch-command answered nothing asked'));
      return;
    }
    request.answered = true;
    this.#touch();
    let pos = 0;
    while (request.next < request.shas.length) {
      const nl = this.#buffer.indexOf(10, pos);
      if (nl < 0) break;
      const [sha = '', type = '', sizeText] = this.#buffer.subarray(pos, nl).toString('utf8').split(' ');
      const asked = request.shas[request.next];
      if (type === 'missing' && sizeText === undefined && sha === asked) {
        pos = nl + 1;
      } else {
        const size = Number(sizeText);
        if (sha !== asked || !Number.isSafeInteger(size) || size < 0) {
          this.#fail(new Error(`git cat-file --batch-command gave an unexpected answer for ${asked ?? '?'}`));
          return;
        }
        if (request.op === 'info') {
          request.out.set(sha, { type, size });
          pos = nl + 1;
        } else {
          // The content and its closing newline, all of it, or wait for more.
          if (this.#buffer.length < nl + 1 + size + 1) break;
          request.out.set(sha, { type, size, content: Buffer.from(this.#buffer.subarray(nl + 1, nl + 1 + size)) });
          pos = nl + 1 + size + 1;
        }
      }
      request.next++;
    }
    this.#buffer = this.#buffer.subarray(pos);
    if (request.next === request.shas.length) {
      clearTimeout(this.#timer);
      this.#request = undefined;
      if (this.#buffer.length > 0) {
        this.#request = request;
        this.#fail(new Error('git cat-file --batch-command answered more than asked'));
        return;
      }
      request.resolve(request.out);
    }
  }
}
