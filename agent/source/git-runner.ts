// Runs git for the source stage: simple-git for ordinary commands (argument hardening, timeouts,
// abort) and a plain child process for `cat-file --batch`, which needs stdin and byte-exact
// output that simple-git's string API cannot give (the long-lived one is object-store.ts). Both get the same sanitized environment.
import { spawn } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';

// Inherited variables that change what git runs or reads; never passed on implicitly.
const GUARDED = /^(GIT_.*|EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS)$/;
const CONFIG_PATH_VARIABLES = new Set(['GIT_CONFIG', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM']);

/** One git config entry, e.g. `{ key: 'http.extraHeader', value: 'Authorization: Basic …' }`. */
export interface GitConfigEntry {
  readonly key: string;
  readonly value: string;
}

export interface GitRunnerOptions {
  /** Working directory (the bare mirror). */
  readonly cwd: string;
  /** Base environment (the CLI passes process.env); GIT_* and editor/pager variables are dropped. */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Deliberate git variables (GIT_CONFIG_GLOBAL, GIT_SSH_COMMAND, …), allowed by name. */
  readonly gitEnv?: Readonly<Record<string, string>>;
  /** `-c` entries: visible on the command line, so never a secret (use `envConfig`). */
  readonly config?: readonly string[];
  /**
   * Config entries given through GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n (git ≥ 2.31),
   * appended after any such entries in `gitEnv`. For secrets such as the auth header: git's helpers
   * (git-remote-https) inherit them, and unlike argv they cannot be read by other users' processes.
   */
  readonly envConfig?: readonly GitConfigEntry[];
  /** Kill a git process that produced no output for this long. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface BlobContent {
  readonly size: number;
  readonly content: Buffer;
}

export class GitRunner {
  readonly #options: GitRunnerOptions;
  readonly #env: Record<string, string>;
  readonly #git: SimpleGit;
  /** Number of blobs read through cat-file (the incremental test and the bench read it). */
  blobsRead = 0;

  constructor(options: GitRunnerOptions) {
    this.#options = options;
    const env = gitEnvironment(options);
    this.#env = env;
    const allowed = Object.keys(env).filter((k) => GUARDED.test(k));
    this.#git = simpleGit({
      baseDir: options.cwd,
      // curl gives up on a stalled transfer by itself, so no git-remote-http outlives a timeout.
      config: [`http.lowSpeedLimit=1`, `http.lowSpeedTime=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`, ...(options.config ?? [])],
      // simple-git's default completion (close, or 50 ms after exit) is kept on purpose: a killed
      // git leaves git-remote-http holding the pipes, so `close` alone would never come.
      timeout: { block: options.timeoutMs },
      allowEnvironment: allowed,
      unsafe: {
        allowUnsafeConfigPaths: allowed.some((k) => CONFIG_PATH_VARIABLES.has(k)),
        // simple-git still checks every GIT_CONFIG_KEY_n against its list of dangerous keys.
        allowUnsafeConfigEnvCount: 'GIT_CONFIG_COUNT' in env,
        allowUnsafeSshCommand: 'GIT_SSH_COMMAND' in env,
      },
      ...(options.signal ? { abort: options.signal } : {}),
    }).env(env);
  }

  get aborted(): boolean {
    return this.#options.signal?.aborted ?? false;
  }

  raw(args: readonly string[]): Promise<string> {
    return this.#git.raw([...args]);
  }

  /** Reads objects by sha with one `git cat-file --batch`; missing objects are left out. */
  async readBlobs(shas: readonly string[]): Promise<Map<string, BlobContent>> {
    if (shas.length === 0) return new Map();
    return this.#parseBatch(await this.#spawn(['cat-file', '--batch'], `${shas.join('\n')}\n`));
  }

  #parseBatch(stdout: Buffer): Map<string, BlobContent> {
    const out = new Map<string, BlobContent>();
    let pos = 0;
    while (pos < stdout.length) {
      const nl = stdout.indexOf(10, pos);
      if (nl < 0) break;
      const header = stdout.subarray(pos, nl).toString('utf8');
      pos = nl + 1;
      const [sha, type, sizeText] = header.split(' ');
      if (type === 'missing' || sha === undefined || sizeText === undefined) continue;
      const size = Number(sizeText);
      out.set(sha, { size, content: stdout.subarray(pos, pos + size) });
      pos += size + 1;
      if (type === 'blob') this.blobsRead++;
    }
    return out;
  }

  /** Spawns git with `input` on stdin; resolves with the whole (byte-exact) stdout on a zero exit. */
  #spawn(args: readonly string[], input: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', [...args], {
        cwd: this.#options.cwd,
        env: this.#env,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      });
      const chunks: Buffer[] = [];
      const errors: Buffer[] = [];
      let timer = setTimeout(() => child.kill('SIGKILL'), this.#options.timeoutMs);
      child.stdout.on('data', (c: Buffer) => {
        chunks.push(c);
        clearTimeout(timer);
        timer = setTimeout(() => child.kill('SIGKILL'), this.#options.timeoutMs);
      });
      child.stderr.on('data', (c: Buffer) => errors.push(c));
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(Buffer.concat(chunks));
        else reject(new Error(`git ${args.join(' ')} failed (${signal ?? code}): ${Buffer.concat(errors).toString('utf8')}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    });
  }
}

/** The environment git runs with: the base without guarded variables, plus the deliberate ones. */
export function gitEnvironment(options: Pick<GitRunnerOptions, 'baseEnv' | 'gitEnv' | 'envConfig'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.baseEnv ?? { PATH: '/usr/local/bin:/usr/bin:/bin' })) {
    if (v !== undefined && !GUARDED.test(k)) env[k] = v;
  }
  Object.assign(env, options.gitEnv ?? {}, envConfigVariables(options.gitEnv ?? {}, options.envConfig ?? []), { GIT_TERMINAL_PROMPT: '0' });
  return env;
}

/** GIT_CONFIG_* variables for `entries`, numbered after the ones `gitEnv` already sets. */
function envConfigVariables(gitEnv: Readonly<Record<string, string>>, entries: readonly GitConfigEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  const given = Number.parseInt(gitEnv['GIT_CONFIG_COUNT'] ?? '0', 10);
  const first = Number.isSafeInteger(given) && given > 0 ? given : 0;
  const out: Record<string, string> = { GIT_CONFIG_COUNT: String(first + entries.length) };
  entries.forEach((entry, i) => {
    out[`GIT_CONFIG_KEY_${first + i}`] = entry.key;
    out[`GIT_CONFIG_VALUE_${first + i}`] = entry.value;
  });
  return out;
}
