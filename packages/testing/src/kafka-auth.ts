// Kafka with authenticated clients and ACLs (KRaft, Kafka 3.9): clients sign in with SASL/SCRAM-SHA-512 (what
// kafkajs 2.2.4 speaks), the StandardAuthorizer denies whatever no ACL allows, and only the admin user is a super
// user. Used by a private broker (startPrivateKafka({ auth: true })); the shared broker still runs PLAINTEXT.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel, type AclEntry } from 'kafkajs';
import { ensureKafka } from './kafka';
import { run } from './proc';

/** The harness's own user: super user, makes users, topics and ACLs; never a service's. */
export const KAFKA_ADMIN = 'airlock';
export const KAFKA_SASL_MECHANISM = 'SCRAM-SHA-512';

export interface KafkaAdminCredentials {
  /** SCRAM password of KAFKA_ADMIN (clients and the broker's own inter-broker connections). */
  adminPassword: string;
  /**
   * Password of the controller listener (SASL/PLAIN): KRaft controllers cannot use SCRAM, whose credentials live
   * in the metadata log the controller serves, so the broker signs in to its controller with PLAIN.
   */
  controllerPassword: string;
}

/** JAAS text for one login; passwords are base64url (no quotes to escape). */
const jaas = (module: string, user: string, password: string, extra = ''): string =>
  `${module} required username="${user}" password="${password}"${extra};`;

/**
 * server.properties lines that replace the PLAINTEXT listeners: SASL_PLAINTEXT with SCRAM-SHA-512 for clients and
 * the broker itself, SASL/PLAIN on the controller listener, the KRaft StandardAuthorizer with the admin as the only
 * super user, no access where no ACL allows it, and no topics created by a producer's metadata request. The file
 * holds passwords: written 0600.
 */
export function renderKafkaAuthProperties(c: { host: string; brokerPort: number; controllerPort: number } & KafkaAdminCredentials): string[] {
  return [
    `listeners=SASL_PLAINTEXT://${c.host}:${c.brokerPort},CONTROLLER://${c.host}:${c.controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://${c.host}:${c.brokerPort}`,
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
    `sasl.enabled.mechanisms=${KAFKA_SASL_MECHANISM}`,
    `sasl.mechanism.inter.broker.protocol=${KAFKA_SASL_MECHANISM}`,
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas('org.apache.kafka.common.security.scram.ScramLoginModule', KAFKA_ADMIN, c.adminPassword)}`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${jaas('org.apache.kafka.common.security.plain.PlainLoginModule', KAFKA_ADMIN, c.controllerPassword, ` user_${KAFKA_ADMIN}="${c.controllerPassword}"`)}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${KAFKA_ADMIN}`,
    'allow.everyone.if.no.acl.found=false',
    'auto.create.topics.enable=false',
  ];
}

/** `properties` (renderKafkaProperties) with the listener and security settings of renderKafkaAuthProperties instead. */
export function applyKafkaAuth(properties: string, c: { host: string; brokerPort: number; controllerPort: number } & KafkaAdminCredentials): string {
  const auth = renderKafkaAuthProperties(c);
  const replaced = new Set(auth.map((line) => line.slice(0, line.indexOf('='))));
  const kept = properties.split('\n').filter((line) => !replaced.has(line.slice(0, line.indexOf('='))));
  return [...kept.filter(Boolean), ...auth, ''].join('\n');
}

/** A SCRAM user and its password (base64url: nothing to quote in a credential argument). */
export interface KafkaUserCredential {
  username: string;
  password: string;
}

/**
 * `kafka-storage format` arguments that put SCRAM credentials in the first metadata: the admin's (the broker needs
 * it to sign in to itself before any AdminClient could create it) and any `users` a fresh broker should start with
 * — one format instead of a ConfigCommand JVM per user. The tool takes credentials only as arguments: the caller
 * hands them to the JVM in a 0600 argument file (javaArgFile), not on a command line other accounts could read.
 */
export function formatScramArgs(adminPassword: string, users: readonly KafkaUserCredential[] = []): string[] {
  for (const user of users) checkUsername(user.username);
  return [{ username: KAFKA_ADMIN, password: adminPassword }, ...users].flatMap((u) => ['--add-scram', `${KAFKA_SASL_MECHANISM}=[name=${u.username},iterations=8192,password=${u.password}]`]);
}

/** A service's user name: no admin, nothing a ConfigCommand or a format argument would read as syntax. */
function checkUsername(username: string): void {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(username) || username === KAFKA_ADMIN) throw new Error(`unsafe Kafka user name: ${JSON.stringify(username)}`);
}

/** kafkajs `sasl` options for a user. */
export const kafkaSasl = (username: string, password: string) => ({ mechanism: 'scram-sha-512' as const, username, password });

/** What a service's user may do: produce to these topics, consume these with these groups; nothing else. */
export interface KafkaGrant {
  produce?: readonly string[];
  consume?: readonly string[];
  /** Consumer group names (literal). */
  groups?: readonly string[];
}

/** The ACL entries of `grant` for `username` (DESCRIBE comes with WRITE and READ: clients fetch metadata first). */
export function grantAcls(username: string, grant: KafkaGrant): AclEntry[] {
  const entry = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes): AclEntry => ({
    resourceType,
    resourceName,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: `User:${username}`,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  return [
    ...(grant.produce ?? []).flatMap((t) => [entry(AclResourceTypes.TOPIC, t, AclOperationTypes.WRITE), entry(AclResourceTypes.TOPIC, t, AclOperationTypes.DESCRIBE)]),
    ...(grant.consume ?? []).flatMap((t) => [entry(AclResourceTypes.TOPIC, t, AclOperationTypes.READ), entry(AclResourceTypes.TOPIC, t, AclOperationTypes.DESCRIBE)]),
    ...(grant.groups ?? []).map((g) => entry(AclResourceTypes.GROUP, g, AclOperationTypes.READ)),
  ];
}

export interface KafkaAuthTarget {
  brokers: string[];
  adminPassword: string;
}

/** A kafkajs client of the admin user. */
export function adminKafka(target: KafkaAuthTarget): Kafka {
  return new Kafka({ clientId: 'airlock-harness', brokers: target.brokers, logLevel: logLevel.NOTHING, sasl: kafkaSasl(KAFKA_ADMIN, target.adminPassword) });
}

/**
 * Creates (or re-keys) the SCRAM user and gives it exactly its grant's ACLs. kafkajs 2.2.4 has no AlterUserScramCredentials,
 * so Kafka's own ConfigCommand sets the credential; the password and the admin's go through 0600 files in a 0700
 * directory (`--add-config-file`, `--command-config`), never on a command line other accounts could read.
 */
export async function createKafkaUser(target: KafkaAuthTarget, username: string, password: string, grant: KafkaGrant): Promise<void> {
  checkUsername(username);
  const home = await ensureKafka();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-kafka-user-'));
  try {
    const adminConfig = path.join(dir, 'admin.properties');
    const userConfig = path.join(dir, 'user.properties');
    await writeFile(
      adminConfig,
      ['security.protocol=SASL_PLAINTEXT', `sasl.mechanism=${KAFKA_SASL_MECHANISM}`, `sasl.jaas.config=${jaas('org.apache.kafka.common.security.scram.ScramLoginModule', KAFKA_ADMIN, target.adminPassword)}`, ''].join('\n'),
      { mode: 0o600 },
    );
    // In a file the value takes no brackets: `[…]` (the --add-config form) is refused as "Invalid credential property".
    await writeFile(userConfig, `${KAFKA_SASL_MECHANISM}=iterations=8192,password=${password}\n`, { mode: 0o600 });
    await run(
      'java',
      ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-Dlog4j.rootLogger=WARN', '-cp', path.join(home, 'libs', '*'), 'kafka.admin.ConfigCommand',
        '--bootstrap-server', target.brokers[0]!, '--command-config', adminConfig,
        '--alter', '--entity-type', 'users', '--entity-name', username, '--add-config-file', userConfig],
      { timeoutMs: 120_000 },
    ).catch((error: Error) => {
      // The tool quotes the credential it refuses: never let a password into a message.
      throw new Error(error.message.split(password).join('[redacted]').split(target.adminPassword).join('[redacted]'));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await grantKafkaUsers(target, [{ username, grant }]);
}

/**
 * Gives each user exactly its grant's ACLs (one admin connection for all): for users made by createKafkaUser, or
 * put in a fresh broker's first metadata (formatScramArgs).
 */
export async function grantKafkaUsers(target: KafkaAuthTarget, grants: ReadonlyArray<{ username: string; grant: KafkaGrant }>): Promise<void> {
  if (grants.length === 0) return;
  const admin = adminKafka(target).admin();
  await admin.connect();
  try {
    // The grant replaces what the user had: a right taken out of it must not linger on a kept broker.
    await admin.deleteAcls({
      filters: grants.map(({ username }) => ({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        principal: `User:${username}`,
        host: '*',
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      })),
    });
    const acl = grants.flatMap(({ username, grant }) => grantAcls(username, grant));
    if (acl.length > 0) await admin.createAcls({ acl });
  } finally {
    await admin.disconnect();
  }
}
