// The emulated calicoctl image: runs the calicoctl emulation with the container's arguments and
// environment, reading -f files from the mounted ConfigMaps, as the pod's ServiceAccount.
import { runCalicoctl } from '../calico/calicoctl.js';
import type { FailureMode } from '../calico/calicoctl.js';
import type { ValidationPort } from '../calico/validate.js';
import type { KubeApi } from '../calico/kube-api.js';
import type { MountedFiles } from './volumes.js';

export interface CalicoctlImageRun {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly files: MountedFiles;
  /** Authenticated as the pod's ServiceAccount. */
  readonly api: KubeApi;
  /** The image tag: calicoctl's own version. */
  readonly version: string;
  readonly validator?: ValidationPort;
  readonly failureMode?: FailureMode;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
}

export async function runCalicoctlImage(o: CalicoctlImageRun): Promise<{ exitCode: number }> {
  const outcome = await runCalicoctl({
    argv: o.argv,
    env: o.env,
    readFile: (file) => o.files.readFile(file),
    listDir: (dir) => {
      const prefix = `${dir.replace(/\/+$/, '')}/`;
      const inside = o.files.files().map((f) => f.path).filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'));
      return inside.length ? inside : undefined;
    },
    api: o.api,
    clientVersion: o.version,
    ...(o.validator ? { validator: o.validator } : {}),
    ...(o.failureMode ? { failureMode: o.failureMode } : {}),
  });
  for (const line of outcome.lines) o.onOutput(line.stream, line.text.endsWith('\n') ? line.text : `${line.text}\n`);
  return { exitCode: outcome.exitCode };
}
