import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { AssertionSigner } from '@airlock/identity-assertion';
import { createPool, type Pool } from '@airlock/postgres';
import { createLogger } from '@airlock/telemetry';
import {
  createTestDatabase,
  ensureTmux,
  eventually,
  grpcServing,
  killTerminalShells,
  policyTestBundle,
  startBuiltPolicy,
  startBuiltService,
  startInfra,
  uniquePrefix,
  type BuiltService,
  type InfraEndpoints,
  type TestDatabase,
} from '@airlock/testing';
import { parseCast } from '../src/recording/asciicast';
import { FileRecordingKeys, RecordingKeyError } from '../src/recording/recording-keys';
import { openSealed } from '../src/recording/sealed-file';
import { terminalClient, terminalTestEnv } from './support/terminal-client';

jest.setTimeout(180_000);

const edgeSigner = AssertionSigner.generate();
const ORIGIN = 'https://airlock.test';
/** The tenant policy records (output and keystrokes); `plain` is not recorded. */
const TENANT = 'bank';
const AUDITOR = ['auditor'];
/** A tenant whose bundle entry sets short session lifetimes and allows read-write sharing (the service's defaults do not). */
const SHORT_LIVED = 'lab';
/** A tenant under the bundle's default entry: nothing recorded, the service's own lifetimes and sharing. */
const PLAIN = 'plain';

/**
 * Recording as policy asks for it: the real policy service with a bundle whose `terminals` section records
 * tenant `bank`, the built terminal service on real tmux, PostgreSQL, Redis and Kafka, and its files on disk.
 */
describe('terminal recording', () => {
  let infra: InfraEndpoints;
  let db: TestDatabase;
  let pool: Pool;
  let dir: string;
  let env: Record<string, string>;
  let policy: BuiltService;
  let service: BuiltService;
  const audits: airlock.events.v1.AuditEvent[] = [];
  let reader: EventConsumer;
  const keyHex = randomBytes(32).toString('hex');

  const client = terminalClient({ address: () => service.httpAddress, signer: edgeSigner, tenantId: TENANT, origin: ORIGIN });
  const labClient = terminalClient({ address: () => service.httpAddress, signer: edgeSigner, tenantId: SHORT_LIVED, origin: ORIGIN });
  const plainClient = terminalClient({ address: () => service.httpAddress, signer: edgeSigner, tenantId: PLAIN, origin: ORIGIN });
  const start = (extra: Record<string, string> = {}) => startBuiltService({ app: 'terminal', env: { ...env, ...extra }, ready: grpcServing('airlock.terminal.v1.TerminalService') });
  const castOf = (id: string, userId = 'ann', roles = AUDITOR) => client.call(userId, 'GET', `/recordings/${id}/cast`, undefined, roles);

  beforeAll(async () => {
    const [endpoints] = await Promise.all([startInfra({ components: ['postgres', 'redis', 'kafka'] }), ensureTmux()]);
    infra = endpoints;
    const prefix = uniquePrefix('termrec');
    db = await createTestDatabase(infra, prefix);
    pool = createPool(db.url, { max: 1, password: db.password });
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-termrec-'));
    policy = await startBuiltPolicy({
      dir,
      bundle: policyTestBundle('termrec-1', {
        terminals: { default: { maxSessionsPerUser: 5 }, tenants: { [TENANT]: { recording: 'output_and_input', retentionDays: 30 }, [SHORT_LIVED]: { detachedTtlSeconds: 2, idleLockSeconds: 1, allowReadWriteSharing: true } } },
      }),
    });
    writeFileSync(path.join(dir, 'recording.key'), keyHex, { mode: 0o600 });
    env = {
      ...(await terminalTestEnv({ infra, db, prefix, dir, signer: edgeSigner, origin: ORIGIN })),
      POLICY_ADDR: policy.grpcAddress,
      TERMINAL_RECORDING_DIR: path.join(dir, 'recordings'),
      TERMINAL_RECORDING_KEY_FILE: path.join(dir, 'recording.key'),
      TERMINAL_REAPER_INTERVAL_SECONDS: '1',
    };
    const logger = createLogger('terminal-test', 'warn');
    reader = new EventConsumer(createKafka({ brokers: infra.kafka.brokers, clientId: 'terminal-test', logger }), { groupId: `${prefix}-reader`, topics: [topicName('audit', prefix)], logger });
    await reader.start(async ({ value }) => void audits.push(airlock.events.v1.AuditEvent.decode(value)));
    service = await start();
  });

  afterAll(async () => {
    await service?.stop();
    await policy?.stop();
    await reader?.stop();
    await pool?.end();
    await db?.drop();
    await killTerminalShells(env.TERMINAL_ROOT_DIR);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records output and keystrokes of a session policy wants recorded, sealed on disk, played to auditors only', async () => {
    const created = await client.api('alice', 'POST', '', { workspace_id: 'w-alice', name: 'deploy', cols: 90, rows: 20 });
    expect(created.body).toMatchObject({ recording: 'output_and_input' });
    const id = created.body.id as string;
    const terminal = await client.attach('alice', `${(await client.ticketFor('alice', id)).url}&cols=100&rows=30`);
    terminal.type('echo "marker-$((6*7))-안녕"\r');
    await eventually('the output', () => (terminal.text().includes('marker-42-안녕') ? true : undefined));
    await terminal.close();

    const file = path.join(env.TERMINAL_RECORDING_DIR, `${id}.cast`);
    await eventually('sealed on disk', () => (existsSync(file) && readFileSync(file).length > 200 ? true : undefined));
    const raw = readFileSync(file);
    for (const clear of ['marker-42', 'echo', '"version"', Buffer.from('안녕').toString()]) expect(raw.includes(clear)).toBe(false);

    // The owner and other roles get nothing; an auditor of another tenant neither.
    expect(await castOf(id, 'alice', ['developer'])).toMatchObject({ status: 403, body: { error: { code: 'terminal_forbidden' } } });
    expect((await client.call('alice', 'GET', '/recordings', undefined, ['developer'])).status).toBe(403);
    const listed = await client.call('ann', 'GET', '/recordings', undefined, AUDITOR);
    expect(listed.body.recordings).toEqual([expect.objectContaining({ session_id: id, owner_user_id: 'alice', session_name: 'deploy', input_recorded: true, policy_version: 'termrec-1', rule_id: `terminals.tenants.${TENANT}`, ended_at: null })]);
    const days = (Date.parse(listed.body.recordings[0].delete_after) - Date.parse(listed.body.recordings[0].started_at)) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);

    const cast = await castOf(id, 'sam', ['security-admin']);
    expect(cast.status).toBe(200);
    expect(cast.contentType).toContain('application/x-asciicast');
    const { header, events } = parseCast(cast.text);
    expect(header).toMatchObject({ version: 2, width: 90, height: 20, title: 'deploy' });
    expect(events.filter(([, code]) => code === 'o').map(([, , text]) => text).join('')).toContain('marker-42-안녕');
    expect(events.filter(([, code]) => code === 'i').map(([, , text]) => text).join('')).toContain('echo "marker-$((6*7))-안녕"');
    // The owner's terminal size, so that a player redraws full-screen programs at it.
    expect(events.filter(([, code]) => code === 'r').map(([, , size]) => size)).toEqual(['100x30']);
    expect(events.map(([t]) => t)).toEqual([...events.map(([t]) => t)].sort((a, b) => a - b));
    await eventually('the playback audited', () => (audits.some((e) => e.action === 'view_recording' && e.actor === 'sam' && e.endpoint.endsWith(id)) ? true : undefined));

    // The file does not open under another key.
    await expect(openSealed(file, id, new FileRecordingKeys(randomBytes(32).toString('hex')))).rejects.toThrow(RecordingKeyError);
    expect((await openSealed(file, id, new FileRecordingKeys(keyHex))).toString()).toContain('marker-42');
  });

  it('keeps keys typed the moment the WebSocket opens, on a new session and after a restart (the recorder attaches its own client)', async () => {
    const typedAtOnce = async (id: string, marker: string) => {
      const terminal = await client.attach('alice', (await client.ticketFor('alice', id)).url);
      expect(terminal.opened).toEqual({ ok: true });
      // No wait for the prompt or the restored screen: what a fast typist or a pasted command does.
      terminal.type(`echo ${marker}-$((6*7))\r`);
      await eventually(`${marker} run`, () => (terminal.text().includes(`${marker}-42`) ? true : undefined));
      await terminal.close();
    };
    for (let round = 0; round < 5; round++) {
      const { body: session } = await client.api('alice', 'POST', '', { workspace_id: 'w-alice' });
      await typedAtOnce(session.id, `fresh${round}`);
      expect((await client.api('alice', 'DELETE', `/${session.id}`)).status).toBe(204);
    }
    const { body: session } = await client.api('alice', 'POST', '', { workspace_id: 'w-alice' });
    await typedAtOnce(session.id, 'before');
    await service.crash();
    service = await start();
    await typedAtOnce(session.id, 'restarted');
    await eventually('both in the recording', async () => {
      const text = (await castOf(session.id)).text;
      return text.includes('before-42') && text.includes('restarted-42') ? true : undefined;
    });
    expect((await client.api('alice', 'DELETE', `/${session.id}`)).status).toBe(204);
  });

  it('goes on recording through a kill -9 of the service, into the same file', async () => {
    const { body: session } = await client.api('alice', 'POST', '', { workspace_id: 'w-alice' });
    const terminal = await client.attach('alice', (await client.ticketFor('alice', session.id)).url);
    terminal.type('echo before-crash\r');
    await eventually('the output', () => (/^before-crash(\x1b\[0m)?\r\n/m.test(terminal.text()) ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_500));
    await service.crash();
    service = await start();
    const again = await client.attach('alice', (await client.ticketFor('alice', session.id)).url);
    again.type('echo after-restart\r');
    await eventually('the output', () => (/^after-restart(\x1b\[0m)?\r\n/m.test(again.text()) ? true : undefined));
    await again.close();
    await eventually('both in the recording', async () => {
      const text = (await castOf(session.id)).text;
      return text.includes('before-crash') && text.includes('after-restart') ? true : undefined;
    });
    expect((await client.api('alice', 'DELETE', `/${session.id}`)).status).toBe(204);
    await eventually('ended', async () => ((await client.call('ann', 'GET', '/recordings', undefined, AUDITOR)).body.recordings.find((r: { session_id: string }) => r.session_id === session.id)?.ended_at ? true : undefined));
  });

  it('deletes a recording past its retention, keeping the row that says it existed', async () => {
    const { body: session } = await client.api('alice', 'POST', '', { workspace_id: 'w-alice' });
    await client.api('alice', 'DELETE', `/${session.id}`);
    const file = path.join(env.TERMINAL_RECORDING_DIR, `${session.id}.cast`);
    expect(existsSync(file)).toBe(true);
    await eventually('ended', async () => ((await pool.query('SELECT ended_at FROM terminal_recordings WHERE session_id = $1', [session.id])).rows[0]?.ended_at ? true : undefined));
    await pool.query(`UPDATE terminal_recordings SET delete_after = now() - interval '1 second' WHERE session_id = $1`, [session.id]);
    await eventually('the retention pass', () => (existsSync(file) ? undefined : true));
    expect(await castOf(session.id)).toMatchObject({ status: 404, body: { error: { code: 'terminal_recording_not_found' } } });
    expect((await pool.query('SELECT deleted_at FROM terminal_recordings WHERE session_id = $1', [session.id])).rows[0].deleted_at).not.toBeNull();
    await eventually('the deletion audited', () => (audits.some((e) => e.action === 'delete_recording' && e.endpoint.endsWith(session.id) && e.routeTarget === 'retention_expired') ? true : undefined));
  });

  it('refuses to start a session policy wants recorded when recording is not configured, and to read with the wrong key', async () => {
    const { body: kept } = await client.call('ann', 'GET', '/recordings', undefined, AUDITOR);
    await service.stop();
    writeFileSync(path.join(dir, 'other.key'), randomBytes(32).toString('hex'), { mode: 0o600 });
    service = await start({ TERMINAL_RECORDING_KEY_FILE: path.join(dir, 'other.key') });
    expect(await castOf(kept.recordings[0].session_id)).toMatchObject({ status: 503, body: { error: { code: 'terminal_recording_unavailable' } } });

    await service.stop();
    const unconfigured = { ...env };
    delete unconfigured.TERMINAL_RECORDING_DIR;
    delete unconfigured.TERMINAL_RECORDING_KEY_FILE;
    service = await startBuiltService({ app: 'terminal', env: unconfigured, ready: grpcServing('airlock.terminal.v1.TerminalService') });
    const refused = await client.api('alice', 'POST', '', { workspace_id: 'w-alice' });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'terminal_recording_unavailable' } } });
  });

  it("applies the bundle's lifetimes and sharing per tenant: an idle lock, a TTL and read-write invitations", async () => {
    const { body: plainSession } = await plainClient.api('paul', 'POST', '', { workspace_id: 'w-paul', name: 'defaults' });
    expect((await plainClient.api('paul', 'PUT', `/${plainSession.id}/shares`, { user_id: 'pia', mode: 'read-write' })).body.error.code).toBe('terminal_share_mode_forbidden');
    await plainClient.api('paul', 'DELETE', `/${plainSession.id}`);

    const { body: session } = await labClient.api('lena', 'POST', '', { workspace_id: 'w-lena', name: 'short' });
    expect((await labClient.api('lena', 'PUT', `/${session.id}/shares`, { user_id: 'leo', mode: 'read-write' })).status).toBe(200);
    const terminal = await labClient.attach('lena', (await labClient.ticketFor('lena', session.id)).url);
    await eventually('the idle lock after 1 s', () => (terminal.messages.some((m) => m.type === 'locked') ? true : undefined), 20_000);
    await terminal.close();
    await eventually('the end after a 2 s TTL', async () => ((await labClient.api('lena', 'GET', `/${session.id}`)).body.state === 'terminated' ? true : undefined), 20_000);
    await eventually('the end audited', () => (audits.some((e) => e.action === 'terminate' && e.endpoint.endsWith(session.id) && e.routeTarget === 'ttl_expired') ? true : undefined));
  });
});
