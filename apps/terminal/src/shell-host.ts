// Entry point of the shell host, the workspace pod's sidecar (`node dist/shell-host.js`; the Kubernetes driver's
// manifests start it): the pod's tmux server on a socket in an emptyDir, reached by the terminal service over mTLS.
import { ConfigError, env, loadConfig, z } from '@airlock/config';
import { readMtlsMaterial } from '@airlock/grpc';
import { TmuxHost } from './pty/tmux-host';
import { ShellHostServer } from './shell-host/shell-host-server';

const shellHostConfig = {
  SHELL_HOST_PORT: env.port(7400),
  /** The pod network (the NetworkPolicy admits the terminal service only); 127.0.0.1 in tests. */
  SHELL_HOST_BIND: env.host('0.0.0.0'),
  /** The emptyDir shared with the workspace container: tmux.conf and `workspace/tmux.sock`. */
  SHELL_HOST_TMUX_DIR: z.string().min(1),
  SHELL_HOST_HOME: z.string().min(1),
  SHELL_HOST_TMUX_BIN: z.string().min(1).default('/usr/bin/tmux'),
  SHELL_HOST_SCROLLBACK_LINES: env.int(10_000, 100),
  MTLS_CERT_FILE: z.string().min(1),
  MTLS_KEY_FILE: z.string().min(1),
  MTLS_CA_FILE: z.string().min(1),
};

async function main(): Promise<void> {
  const config = loadConfig(shellHostConfig);
  const material = readMtlsMaterial({ certFile: config.MTLS_CERT_FILE, keyFile: config.MTLS_KEY_FILE, caFile: config.MTLS_CA_FILE });
  const tmux = new TmuxHost({ tmux: config.SHELL_HOST_TMUX_BIN, rootDir: config.SHELL_HOST_TMUX_DIR, scrollbackLines: config.SHELL_HOST_SCROLLBACK_LINES });
  const server = new ShellHostServer({ material, tmux, account: { key: 'workspace', home: config.SHELL_HOST_HOME } });
  const port = await server.listen(config.SHELL_HOST_PORT, config.SHELL_HOST_BIND);
  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'shell-host', msg: 'listening', port })}\n`);
  // Its shells are tmux's, not this process's: stopping the bridge leaves them running.
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'shell-host', msg: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
