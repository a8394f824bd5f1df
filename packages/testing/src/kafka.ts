import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { aptInstall } from './apt';
import { log } from './log';
import { infraDir, repoRoot, toolsDir } from './paths';
import { run, spawnDetached, waitReady } from './proc';
import type { InfraRecord } from './state';
import type { InfraProfile } from './types';
import { prepareLogFile } from './log-files';

/**
 * Apache Kafka 3.9.1 (Scala 2.13). The services' client is kafkajs 2.2.4, which only speaks old request
 * versions (Produce v0-v7, Fetch v0-v11, ...) that Kafka 4.0 removed (KIP-896); 3.9 is the last line that
 * still accepts them and already runs KRaft in production, so no ZooKeeper. Keep in step with
 * tools/kafka/pom.xml, which resolves the broker's jars from Maven Central.
 */
export const KAFKA_VERSION = '3.9.1';
const KAFKA_JAR = `kafka_2.13-${KAFKA_VERSION}.jar`;

export const kafkaHome = (): string => path.join(toolsDir(), `kafka-${KAFKA_VERSION}`);
const pomFile = (): string => path.join(repoRoot(), 'tools', 'kafka', 'pom.xml');

async function haveCommand(command: string): Promise<boolean> {
  return run(command, ['-version']).then(
    () => true,
    () => false,
  );
}

/** Installs the broker's jars into <state>/tools/kafka-3.9.1/libs; a no-op when the POM is unchanged. */
export async function ensureKafka(): Promise<string> {
  const home = kafkaHome();
  const pom = await readFile(pomFile());
  const stamp = createHash('sha256').update(pom).digest('hex');
  const stampFile = path.join(home, '.installed');
  if (existsSync(path.join(home, 'libs', KAFKA_JAR)) && (await readFile(stampFile, 'utf8').catch(() => '')) === stamp) return home;

  log(`installing Kafka ${KAFKA_VERSION} jars from Maven Central into ${home}`);
  if (!(await haveCommand('java'))) await aptInstall(['openjdk-17-jre-headless']);
  if (!(await haveCommand('mvn'))) await aptInstall(['maven']);
  const partial = `${home}.partial`;
  await rm(partial, { recursive: true, force: true });
  await run('mvn', ['-B', '-q', '-f', pomFile(), 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(partial, 'libs')}`], {
    timeoutMs: 15 * 60_000,
  });
  if (!existsSync(path.join(partial, 'libs', KAFKA_JAR))) throw new Error(`mvn did not produce ${KAFKA_JAR}`);
  await writeFile(path.join(partial, '.installed'), stamp);
  await rm(home, { recursive: true, force: true });
  await rename(partial, home);
  return home;
}

export interface KafkaConfigInput {
  dataDir: string;
  brokerPort: number;
  controllerPort: number;
  host?: string;
}

/** server.properties for a single-node KRaft cluster (broker and controller in one process). */
export function renderKafkaProperties(c: KafkaConfigInput): string {
  const host = c.host ?? '127.0.0.1';
  return [
    '# Written by @airlock/testing on every start; edits are lost.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${c.controllerPort}`,
    `listeners=PLAINTEXT://${host}:${c.brokerPort},CONTROLLER://${host}:${c.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${c.brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${c.dataDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    // One node: internal topics cannot have more replicas, and few partitions keep first use fast.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    // After a crash the controller keeps the dead broker's session until it times out before it lets the
    // restarted broker in (9 s by default): a short session makes a restart after kill -9 quick.
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=1000',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    '',
  ].join('\n');
}

/** log4j 1.x (reload4j) configuration: everything to one size-capped file. */
export function renderKafkaLog4j(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${logFile}`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.log.LogCleaner=WARN',
    'log4j.logger.org.apache.kafka.raft=WARN',
    '',
  ].join('\n');
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
/**
 * A random cluster id as Kafka writes them (16 bytes, base64url). Like Kafka's own `Uuid.randomUuid`, it never
 * starts with '-': the storage tool's argument parser would read such an id as an option and refuse to format.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const JVM_OPTS = ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];

/** Whether the broker answers a metadata request (signed in with `sasl` on a broker with auth: kafka-auth.ts). */
export async function pingKafka(brokers: string[], timeoutMs = 3000, sasl?: SASLOptions): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'airlock-harness', brokers, logLevel: logLevel.NOTHING, connectionTimeout: timeoutMs, requestTimeout: timeoutMs, retry: { retries: 0 }, ...(sasl ? { sasl } : {}) });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Makes the broker create __consumer_offsets now (a group-coordinator lookup does that), so the first
 * consumer group of a test does not meet "The group coordinator is not available" while it is created.
 */
async function warmUpGroupCoordinator(brokers: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'airlock-harness', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeGroups(['airlock-harness-warm-up']);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startKafka(ports: { broker: number; controller: number }, profile: InfraProfile): Promise<InfraRecord> {
  const home = await ensureKafka();
  const dir = infraDir('kafka');
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const propsFile = path.join(dir, 'server.properties');
  const log4jFile = path.join(dir, 'log4j.properties');
  const serverLog = path.join(dir, 'server.log');
  const stdoutLog = path.join(dir, 'kafka.out');
  await writeFile(propsFile, renderKafkaProperties({ dataDir, brokerPort: ports.broker, controllerPort: ports.controller }));
  await writeFile(log4jFile, renderKafkaLog4j(serverLog));
  prepareLogFile(serverLog);
  const classpath = ['-cp', path.join(home, 'libs', '*')];
  const log4j = `-Dlog4j.configuration=file:${log4jFile}`;

  if (!existsSync(path.join(dataDir, 'meta.properties'))) {
    const idFile = path.join(dir, 'cluster.id');
    let clusterId = (await readFile(idFile, 'utf8').catch(() => '')).trim();
    if (!clusterId || clusterId.startsWith('-')) {
      clusterId = newClusterId();
      await writeFile(idFile, `${clusterId}\n`);
    }
    await run('java', ['-Xmx256m', log4j, ...classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile, '--ignore-formatted'], {
      timeoutMs: 120_000,
    });
  }

  const args = [...JVM_OPTS, log4j, ...classpath, 'kafka.Kafka', propsFile];
  const { pid, startTime } = await spawnDetached({ name: 'kafka', command: 'java', args, cwd: dir, logFile: stdoutLog });
  const brokers = [`127.0.0.1:${ports.broker}`];
  await waitReady('kafka', pid, [stdoutLog, serverLog], 120_000, () => pingKafka(brokers, 2000));
  await warmUpGroupCoordinator(brokers);
  return {
    pid,
    startTime,
    command: 'java',
    args,
    logFile: serverLog,
    startedAt: new Date().toISOString(),
    port: ports.broker,
    ports: { broker: ports.broker, controller: ports.controller },
    profile,
  };
}
