import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { SAMPLE_CUSTOM_RULE } from '@airlock/dlp-engine';
import { GrpcStatus, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort, policyTestBundle, startBuiltPolicy, type BuiltService } from '@airlock/testing';
import { dlpService } from '../src/service';
import { END, scanStream, start } from './stream-client';

const { Action, Direction } = airlock.dlp.v1;
const VERSION = 'dlp-int-7';

describe('dlp with rules from the active policy version', () => {
  let dir: string;
  let policy: BuiltService;
  let dlp: RunningService;
  let client: airlock.dlp.v1.DlpServiceClient;
  const scan = (text: string, policyVersion?: string) =>
    unary(client.scan.bind(client), { text, direction: Direction.DIRECTION_INBOUND, correlationId: 'corr-00000003', policyVersion });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-dlp-policy-'));
    // The real policy service, from its build, as the dlp service meets it in the mesh.
    const rules = { builtinPack: true, overrides: [{ ruleId: 'pii.email', action: 'mask' }], customRules: [SAMPLE_CUSTOM_RULE] };
    policy = await startBuiltPolicy({ dir, bundle: policyTestBundle(VERSION, { dlp: rules }) });
    dlp = await bootService(dlpService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      POLICY_ADDR: policy.grpcAddress,
      DLP_POLICY_DEADLINE_MS: '500',
      LOG_LEVEL: 'error',
    });
    client = createClient(airlock.dlp.v1.DlpServiceClient, dlp.grpcAddress);
    // Two services booted, one of them a child process: on a loaded 2-core machine that takes more than 5 s.
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await dlp?.close();
    await policy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scans with the policy’s overrides and custom rules and reports the version in every result', async () => {
    const masked = await scan('mail kim.cs@acme.co.kr');
    expect(masked).toMatchObject({ action: Action.ACTION_MASK, text: 'mail [MASKED:pii.email]', policyVersion: VERSION });
    expect(masked.ruleSetVersion).toBe(`${VERSION}/builtin-2.0.0`);
    expect(await scan('status of PROJECT-ZEUS', VERSION)).toMatchObject({ action: Action.ACTION_BLOCK, text: '', policyVersion: VERSION });
    const { responses } = await scanStream(client, [start({ policyVersion: VERSION }), { chunk: 'PROJECT-' }, { chunk: 'ZEUS is late' }, END]);
    expect(responses.every((r) => r.policyVersion === VERSION)).toBe(true);
    expect(responses.at(-1)).toMatchObject({ action: Action.ACTION_BLOCK, done: true, text: '' });
  });

  it('refuses a policy version that does not exist', async () => {
    const err = await scan('x', 'no-such-version').catch((e: { code: number; metadata: { get(k: string): unknown[] } }) => e);
    expect(err).toMatchObject({ code: GrpcStatus.NOT_FOUND });
    expect((err as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['dlp_policy_version_unknown']);
  });

  it('keeps serving the last good rule set when policy goes away', async () => {
    await policy.stop();
    expect(await scan('status of PROJECT-ZEUS')).toMatchObject({ action: Action.ACTION_BLOCK, policyVersion: VERSION });
    // A version never loaded cannot be had either: the last good set answers, and says which it is.
    expect(await scan('mail kim.cs@acme.co.kr', 'dlp-int-8')).toMatchObject({ action: Action.ACTION_MASK, policyVersion: VERSION });
  });
});
