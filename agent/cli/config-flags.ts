// Adds every option of the config table to a command as a flag, so `--poll-interval 10s` and
// CALICO_GITOPS_POLL_INTERVAL=10s mean the same thing everywhere.
import type { Command } from 'commander';
import { envName, OPTIONS, type OptionName } from '../config/options.js';

export function addConfigFlags(command: Command, only?: readonly OptionName[]): Command {
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, (typeof OPTIONS)[OptionName]][]) {
    if (only && !only.includes(name)) continue;
    const isBool = typeof spec.default === 'boolean';
    const shownDefault = 'default' in spec && !spec.secret && spec.default !== undefined ? `; default ${String(spec.default)}` : '';
    command.option(`--${spec.flag} ${isBool ? '[bool]' : '<value>'}`, `${spec.description} (env ${envName(spec.flag)}${shownDefault})`);
  }
  return command;
}

/** commander's parsed options as strings for parseConfig (`--adopt` alone means true). */
export function configFlags(options: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(OPTIONS)) {
    const v = options[name];
    if (v === undefined) continue;
    out[name] = v === true ? 'true' : String(v);
  }
  return out;
}
