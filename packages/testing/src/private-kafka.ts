import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureKafka, newClusterId, pingKafka, renderKafkaLog4j, renderKafkaProperties } from './kafka';
import { infraRoot } from './paths';
import { freePort, isAlive, portIsFree, run, spawnDetached, stopPid, waitReady } from './proc';
import { spawnManaged, stopManaged } from './services';
import { prepareLogFile } from './log-files';
import { KAFKA_ADMIN, applyKafkaAuth, formatScramArgs, kafkaSasl, type KafkaUserCredential } from './kafka-auth';
import { randomPassword } from './postgres-auth';

export interface PrivateKafka {
  /** `127.0.0.1:<port>`; the same across restarts. */
  brokers: string[];
  /** Broker pid, while it runs. */
  readonly pid: number | undefined;
  /** Stops the broker: SIGTERM (controlled shutdown) or, with `kill`, SIGKILL. Data stays for `start`. */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same ports and data (after `stop`). */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
  /** With `auth`: the admin user's SCRAM password (createKafkaUser, adminKafka); clients without a user are refused. */
  adminPassword?: string;
  /** This start formatted the data directory: with `auth`, `users` exist (their ACLs are the caller's: grantKafkaUsers). */
  formatted: boolean;
}

export interface PrivateKafkaOptions {
  /** SASL/SCRAM-SHA-512 clients and ACLs (kafka-auth.ts) instead of PLAINTEXT open to everyone. */
  auth?: boolean;
  /**
   * A directory of its own that outlives the broker (a mesh's): formatted once, then started again on the same
   * data, ports and admin passwords (kept 0600 in `kept.json`). Default: a fresh directory every time.
   */
  dir?: string;
  /** Recorded under this name (spawnManaged), so `listManaged` sees it and `stopManaged` stops it — `tools/airlock down`. */
  managedName?: string;
  /**
   * With `auth`: SCRAM users put in the first metadata when the directory is formatted (a fresh one), instead of a
   * ConfigCommand JVM per user afterwards. A kept directory's broker already has its users: see `formatted`.
   */
  users?: readonly KafkaUserCredential[];
}

/** What a kept broker directory remembers between starts. */
interface KeptBroker {
  ports: { broker: number; controller: number };
  credentials?: { adminPassword: string; controllerPassword: string };
}

async function readKept(file: string): Promise<KeptBroker | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as KeptBroker);
}

/** The kept ports while they are still free (a broker that was stopped), else new ones. */
async function brokerPorts(kept: KeptBroker | undefined): Promise<KeptBroker['ports']> {
  if (kept && (await portIsFree(kept.ports.broker)) && (await portIsFree(kept.ports.controller))) return kept.ports;
  return { broker: await freePort(), controller: await freePort() };
}

// Smaller than the shared broker's heap: a test's private broker holds a few topics for a minute.
const JVM_OPTS = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/**
 * A single-node KRaft Kafka of its own — same jars and server.properties as the shared broker of
 * `startInfra`, but its own data directory (under <state>/infra/private-kafka/) and free ports — so a test
 * can stop, kill and restart a broker without disturbing anyone else's. Not recorded in state.json: call
 * `destroy()` when done (a forgotten one is just a JVM with a dead parent and can be killed by its pid).
 */
export async function startPrivateKafka(label = 'kafka', options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const home = await ensureKafka();
  const base = path.join(infraRoot(), 'private-kafka');
  await mkdir(base, { recursive: true });
  const dir = options.dir ?? (await mkdtemp(path.join(base, `${label.replace(/[^a-zA-Z0-9_-]/g, '_')}-`)));
  // It holds passwords (server.properties, kept.json): only its owner enters.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const file = (name: string): string => path.join(dir, name);
  const kept = options.dir ? await readKept(file('kept.json')) : undefined;
  const ports = await brokerPorts(kept);
  const serverLog = file('server.log');
  const log4j = `-Dlog4j.configuration=file:${file('log4j.properties')}`;
  const classpath = ['-cp', path.join(home, 'libs', '*')];
  const credentials = options.auth ? (kept?.credentials ?? { adminPassword: randomPassword(), controllerPassword: randomPassword() }) : undefined;
  if (options.dir) await writeFile(file('kept.json'), JSON.stringify({ ports, credentials } satisfies KeptBroker), { mode: 0o600 });
  const plain = renderKafkaProperties({ dataDir, brokerPort: ports.broker, controllerPort: ports.controller });
  const properties = credentials ? applyKafkaAuth(plain, { host: '127.0.0.1', brokerPort: ports.broker, controllerPort: ports.controller, ...credentials }) : plain;
  // With auth it holds passwords.
  await Promise.all([writeFile(file('server.properties'), properties, { mode: 0o600 }), writeFile(file('log4j.properties'), renderKafkaLog4j(serverLog))]);
  await chmod(file('server.properties'), 0o600);
  prepareLogFile(serverLog);
  // Formatted once per directory (with a fresh cluster id): a kept one starts again on its data.
  const formatted = !existsSync(path.join(dataDir, 'meta.properties'));
  if (formatted) {
    const scram = credentials ? formatScramArgs(credentials.adminPassword, options.users) : [];
    const format = ['-Xmx128m', '-XX:TieredStopAtLevel=1', log4j, ...classpath, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', file('server.properties'), ...scram];
    // The credentials go to the JVM in a 0600 argument file: a command line is readable by every account.
    const argFile = file('format.args');
    await writeFile(argFile, javaArgFile(format), { mode: 0o600 });
    try {
      await run('java', [`@${argFile}`], { timeoutMs: 120_000 }).catch((error: Error) => {
        // The tool may quote the credential it refuses, and run()'s message carries its output: no password in it.
        const secrets = [credentials?.adminPassword, ...(options.users ?? []).map((u) => u.password)].filter((p): p is string => !!p);
        throw new Error(secrets.reduce((message, secret) => message.split(secret).join('[redacted]'), error.message));
      });
    } finally {
      await rm(argFile, { force: true });
    }
  }
  const brokers = [`127.0.0.1:${ports.broker}`];
  let current: { pid: number; startTime?: number } | undefined;

  const start = async (): Promise<void> => {
    if (current && isAlive(current.pid, current.startTime)) return;
    const args = [...JVM_OPTS, log4j, ...classpath, 'kafka.Kafka', file('server.properties')];
    const spawnOptions = { name: options.managedName ?? `private-kafka-${label}`, command: 'java', args, cwd: dir, logFile: file('kafka.out') };
    current = options.managedName ? await spawnManaged(spawnOptions) : await spawnDetached(spawnOptions);
    await waitReady(`private Kafka ${label}`, current.pid, [file('kafka.out'), serverLog], 120_000, () => pingKafka(brokers, 2000, credentials && kafkaSasl(KAFKA_ADMIN, credentials.adminPassword)));
  };
  const stop = async (opts: { kill?: boolean } = {}): Promise<void> => {
    const proc = current;
    current = undefined;
    if (!proc) return;
    await stopPid(proc.pid, { startTime: proc.startTime, signal: opts.kill ? 'SIGKILL' : 'SIGTERM', timeoutMs: 30_000 });
    if (options.managedName) await stopManaged(proc.pid);
  };

  await start();
  return {
    brokers,
    adminPassword: credentials?.adminPassword,
    formatted,
    get pid() {
      return current?.pid;
    },
    start,
    stop,
    destroy: async () => {
      await stop({ kill: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A `java @file` argument file: one double-quoted argument per line (the launcher unquotes and unescapes them). */
export function javaArgFile(args: readonly string[]): string {
  return args.map((a) => `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join('\n') + '\n';
}
