// Parses a calicoctl command line the way docopt does for the subset the simulator emulates.
// Global options may precede the sub-command (`calicoctl --allow-version-mismatch apply -f x`),
// exactly like the real binary, which re-appends `--allow-version-mismatch` to the sub-command.

export const CTL_VERBS = ['apply', 'create', 'replace', 'delete', 'get', 'validate', 'version'] as const;
export type CtlVerb = (typeof CTL_VERBS)[number];

export const OUTPUT_FORMATS = ['ps', 'wide', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CtlCommand {
  readonly verb: CtlVerb;
  readonly filename?: string;
  /** `get`/`delete` by type: the kind as typed (`gnp`, `globalnetworkpolicies`...). */
  readonly kind?: string;
  readonly names: readonly string[];
  readonly namespace?: string;
  readonly allNamespaces: boolean;
  readonly output: OutputFormat;
  readonly skipExists: boolean;
  readonly skipNotExists: boolean;
  readonly allowVersionMismatch: boolean;
}

export type ParsedArgs = { readonly ok: true; readonly command: CtlCommand } | { readonly ok: false; readonly message: string };

const FILE_VERBS: ReadonlySet<CtlVerb> = new Set(['apply', 'create', 'replace', 'validate']);

function invalid(argv: readonly string[], verb?: string): ParsedArgs {
  // Real calicoctl echoes the arguments of the failing level (the whole line at top level).
  const shown = argv.join(' ');
  const lead = verb === 'validate' ? 'invalid option' : 'Invalid option';
  return { ok: false, message: `${lead}: 'calicoctl ${shown}'. Use flag '--help' to read about a specific subcommand.` };
}

/** Splits `--flag=value` and returns the value for flags that take one. */
function takeValue(argv: readonly string[], i: number, flag: string): { value: string | undefined; next: number } {
  const arg = argv[i] ?? '';
  const eq = arg.indexOf('=');
  if (eq > 0 && arg.slice(0, eq) === flag) return { value: arg.slice(eq + 1), next: i + 1 };
  // Short flags can be glued to their value: `-fpolicy.yaml`, `-ntest1`.
  if (flag.length === 2 && arg.length > 2 && arg.startsWith(flag)) return { value: arg.slice(2), next: i + 1 };
  return { value: argv[i + 1], next: i + 2 };
}

const VALUE_FLAGS: Readonly<Record<string, string>> = {
  '-f': 'filename',
  '--filename': 'filename',
  '-n': 'namespace',
  '--namespace': 'namespace',
  '-o': 'output',
  '--output': 'output',
  '-c': 'config',
  '--config': 'config',
  '--context': 'context',
  '-l': 'log-level',
  '--log-level': 'log-level',
};

const BOOL_FLAGS: Readonly<Record<string, string>> = {
  '-A': 'all-namespaces',
  '--all-namespaces': 'all-namespaces',
  '--skip-not-exists': 'skip-not-exists',
  '--skip-exists': 'skip-exists',
  '--allow-version-mismatch': 'allow-version-mismatch',
  '-R': 'recursive',
  '--recursive': 'recursive',
  '--skip-empty': 'skip-empty',
  '--export': 'export',
};

function flagName(arg: string): string {
  const eq = arg.indexOf('=');
  const name = eq > 0 ? arg.slice(0, eq) : arg;
  if (VALUE_FLAGS[name] !== undefined || BOOL_FLAGS[name] !== undefined) return name;
  // Glued short flag (`-fFILE`).
  if (/^-[fnoc]./.test(arg)) return arg.slice(0, 2);
  return name;
}

export function parseCalicoctlArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const bools = new Set<string>();
  const positionals: string[] = [];
  let verb: CtlVerb | undefined;

  for (let i = 0; i < argv.length; ) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('-') && arg !== '-') {
      const name = flagName(arg);
      const bool = BOOL_FLAGS[name];
      if (bool !== undefined) {
        bools.add(bool);
        i += 1;
        continue;
      }
      const key = VALUE_FLAGS[name];
      if (key === undefined) return invalid(argv, verb);
      const { value, next } = takeValue(argv, i, name);
      if (value === undefined) return invalid(argv, verb);
      values.set(key, value);
      i = next;
      continue;
    }
    if (verb === undefined) {
      if (!(CTL_VERBS as readonly string[]).includes(arg)) {
        return { ok: false, message: `unknown command: "${arg}"` };
      }
      verb = arg as CtlVerb;
    } else {
      positionals.push(arg);
    }
    i += 1;
  }

  if (verb === undefined) return invalid(argv);
  const output = values.get('output') ?? 'ps';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    return { ok: false, message: `unrecognized output format '${output}'` };
  }
  const filename = values.get('filename');
  if (FILE_VERBS.has(verb) && (filename === undefined || positionals.length > 0)) return invalid(argv, verb);
  if (verb === 'delete' && filename === undefined && positionals.length < 2) return invalid(argv, verb);
  if (verb === 'get' && filename === undefined && positionals.length < 1) return invalid(argv, verb);
  if (verb === 'version' && (positionals.length > 0 || filename !== undefined)) return invalid(argv, verb);
  if (filename !== undefined && positionals.length > 0) return invalid(argv, verb);

  const [kind, ...names] = positionals;
  const namespace = values.get('namespace');
  return {
    ok: true,
    command: {
      verb,
      ...(filename !== undefined ? { filename } : {}),
      ...(kind !== undefined ? { kind } : {}),
      names,
      ...(namespace !== undefined ? { namespace } : {}),
      allNamespaces: bools.has('all-namespaces'),
      output: output as OutputFormat,
      skipExists: bools.has('skip-exists'),
      skipNotExists: bools.has('skip-not-exists'),
      allowVersionMismatch: bools.has('allow-version-mismatch'),
    },
  };
}
