// The shell host's wire protocol (the Kubernetes driver's sidecar, see the README's "Shells inside the workspace"):
// one mTLS connection per request. The caller sends one JSON line; `create`, `list` and `kill` get one JSON line
// back and the connection ends; after `attach` the connection *is* a `tmux -C attach` client's stdin and stdout
// (the control protocol of src/pty/control-protocol.ts), until either side closes it.
import { z } from '@airlock/config';

/** The name the sidecar's certificate carries (`spiffe://airlock/<it>`); the terminal service checks it. */
export const SHELL_HOST_WORKLOAD = 'workspace-shell-host';
/** The workload allowed to call it. */
export const SHELL_HOST_CALLER = 'terminal';
/** A request line longer than this is refused (a shell's environment is the largest part). */
export const MAX_REQUEST_BYTES = 64 * 1024;

const sessionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const shellHostRequestSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    name: sessionName,
    shell: z.string().min(1),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
    env: z.record(z.string(), z.string()),
  }),
  z.object({ op: z.literal('list') }),
  z.object({ op: z.literal('kill'), name: sessionName }),
  z.object({ op: z.literal('attach'), name: sessionName, readOnly: z.boolean() }),
]);

export type ShellHostRequest = z.infer<typeof shellHostRequestSchema>;

/** The one-line answer to create, list and kill (attach answers in tmux's own protocol). */
export type ShellHostReply = { ok: true; sessions?: string[] } | { ok: false; error: string };
