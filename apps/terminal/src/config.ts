import { env, kafkaAuthShape, redisAuthShape, z } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

export const terminalConfig = {
  DATABASE_URL: env.url(),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),
  DATABASE_POOL_MAX: env.int(5, 1),
  REDIS_URL: env.url(),
  /** Terminal's own Redis user (keys under REDIS_PREFIX) and its password file. */
  ...redisAuthShape,
  /** Namespace of the hot state (tickets, attached clients, last input, locks) in a shared Redis. */
  REDIS_PREFIX: z.string().min(1).default('airlock:terminal:'),
  KAFKA_BROKERS: env.list(),
  /** terminal's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /** Where audit events wait (fsync'd) while Kafka is unreachable. */
  EVENT_SPOOL_DIR: z.string().min(1),
  /** The tmux binary that holds every shell (Debian package `tmux`). */
  TERMINAL_TMUX_BIN: z.string().min(1).default('/usr/bin/tmux'),
  /**
   * One directory per workspace account under it, holding that account's tmux socket (0700, owned by the
   * account). Short: a Unix socket path is limited to 107 bytes.
   */
  TERMINAL_ROOT_DIR: z.string().min(1),
  /** WorkspaceService (host:port), GetShellHost: whose workspace it is, whether it runs, and the OS account and home its shells use. */
  WORKSPACE_ADDR: env.address().optional(),
  /**
   * Development only, without WORKSPACE_ADDR: any workspace id is taken as the caller's own and its shells run as
   * this service's user under TERMINAL_ROOT_DIR/home/<workspace>. Refused at boot with WORKSPACE_ADDR set.
   */
  TERMINAL_STANDALONE_FOR_DEVELOPMENT: env.bool(false),
  /** The shell a session starts (inside the workspace, as its account). */
  TERMINAL_SHELL: z.string().min(1).default('/bin/bash'),
  /**
   * Memory one process of a session may take (RLIMIT_DATA via prlimit: heap and private writable mappings); an
   * allocation beyond it fails. 0: no limit. Per process, not per session: see the README's "Limits".
   */
  TERMINAL_PROCESS_MEMORY_MB: env.int(4096, 0),
  /** CPU seconds one process of a session may use (RLIMIT_CPU: SIGXCPU, then SIGKILL). 0 (default): no limit. */
  TERMINAL_PROCESS_CPU_SECONDS: env.int(0, 0),
  /** prlimit(1) (Debian package util-linux), which sets those limits before the shell starts. */
  TERMINAL_PRLIMIT_BIN: z.string().min(1).default('/usr/bin/prlimit'),
  /** nsenter(1) (util-linux): joins a workspace's pid and mount namespaces (GetShellHost's namespace_pid) before tmux starts. */
  TERMINAL_NSENTER_BIN: z.string().min(1).default('/usr/bin/nsenter'),
  /** Lines of scrollback tmux keeps per session and a re-attach replays before the current screen. */
  TERMINAL_SCROLLBACK_LINES: env.int(10_000, 100),
  /** Live sessions one user may own at a time. */
  TERMINAL_MAX_SESSIONS_PER_USER: env.int(10, 1),
  /** A session nobody is attached to ends after this long (the seed's "dormant" state has a lifetime); policy's `detachedTtlSeconds` wins. */
  TERMINAL_DETACHED_TTL_SECONDS: env.int(24 * 3600, 1),
  /** Seconds without input after which input is refused until the owner re-authenticates (15 minutes); 0 turns it off; policy's `idleLockSeconds` wins. */
  TERMINAL_IDLE_LOCK_SECONDS: env.int(15 * 60, 0),
  /** How often the reaper looks for expired and idle sessions. */
  TERMINAL_REAPER_INTERVAL_SECONDS: env.int(30, 1),
  /** Lifetime of a WebSocket ticket; it also works once only. */
  TERMINAL_TICKET_TTL_SECONDS: env.int(30, 5),
  /** Whether an owner may invite others read-write (read-only sharing is always allowed); policy's `allowReadWriteSharing` wins. */
  TERMINAL_ALLOW_READ_WRITE_SHARING: env.bool(false),
  /**
   * The only Origins a WebSocket upgrade is accepted from (comma-separated, e.g. https://airlock.example): the
   * browser sends its cookie with a cross-site upgrade too, so the Origin is what stops another site's page.
   */
  TERMINAL_ALLOWED_ORIGINS: env.list(),
  /** Budget for one workspace lookup (GetShellHost). */
  TERMINAL_WORKSPACE_DEADLINE_MS: env.int(2_000, 50),
  /**
   * PolicyService (host:port), GetTerminalPolicy at every create: recording, its retention and sessions per user
   * from the bundle's `terminals` section. Unset: nothing is recorded and TERMINAL_MAX_SESSIONS_PER_USER applies.
   */
  POLICY_ADDR: env.address().optional(),
  /** Budget for one policy lookup; policy not answering refuses the create (a required recording is never skipped). */
  TERMINAL_POLICY_DEADLINE_MS: env.int(2_000, 50),
  /** Where encrypted recordings are written (0700); without it and the key file, a session policy wants recorded is refused. */
  TERMINAL_RECORDING_DIR: z.string().min(1).optional(),
  /** The key-encryption key of recordings: 32 bytes as 64 hex digits or base64 (0600, or a mounted Secret). */
  TERMINAL_RECORDING_KEY_FILE: env.secretFile().optional(),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // Operator tooling lists and ends a workspace's terminals. (A deleted or stopped workspace's terminals are ended
  // by this service's reaper, which asks the workspace service: no call back from it is needed.)
  operator: ['airlock.terminal.v1.TerminalService'],
};
