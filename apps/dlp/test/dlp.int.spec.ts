import { airlock } from '@airlock/contracts';
import { GrpcStatus, checkHealth, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort } from '@airlock/testing';
import { dlpService } from '../src/service';

describe('dlp service over gRPC', () => {
  let service: RunningService;
  let client: airlock.dlp.v1.DlpServiceClient;

  beforeAll(async () => {
    service = await bootService(dlpService, {
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      DLP_MAX_TEXT_CHARS: '1000',
      LOG_LEVEL: 'warn',
    });
    client = createClient(airlock.dlp.v1.DlpServiceClient, service.grpcAddress, { idempotent: ['airlock.dlp.v1.DlpService'] });
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
  });

  it('reports SERVING for the server and for DlpService', async () => {
    expect(await checkHealth(service.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service.grpcAddress, 'airlock.dlp.v1.DlpService')).toBe('SERVING');
  });

  it('masks a planted AWS key', async () => {
    const res = await unary(client.scan.bind(client), {
      text: 'key=AKIAIOSFODNN7EXAMPLE',
      direction: airlock.dlp.v1.Direction.DIRECTION_INBOUND,
      correlationId: 'corr-00000001',
    });
    expect(res.action).toBe(airlock.dlp.v1.Action.ACTION_MASK);
    expect(res.text).toBe('key=[MASKED:secret.aws_access_key_id]');
    expect(res.findings[0].valueSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps a typed error to INVALID_ARGUMENT with a machine-readable code', async () => {
    const err = await unary(client.scan.bind(client), {
      text: 'x'.repeat(1001),
      direction: airlock.dlp.v1.Direction.DIRECTION_INBOUND,
      correlationId: '',
    }).catch((e: unknown) => e as { code: number; metadata: { get(k: string): unknown[] } });
    expect(err).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect((err as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['dlp_text_too_large']);
  });

  it('goes NOT_SERVING and stops answering after close', async () => {
    const address = service.grpcAddress;
    await service.close();
    expect(await checkHealth(address, '', 300)).toBe('UNREACHABLE');
  });
});
