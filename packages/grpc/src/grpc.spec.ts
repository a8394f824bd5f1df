import * as grpc from '@grpc/grpc-js';
import { airlock } from '@airlock/contracts';
import { runWithCorrelation } from '@airlock/telemetry';
import { createClient, unary } from './client';
import { checkHealth } from './health-client';
import { HealthReporter, addStandardServices, loadProtos } from './server';
import { PROTO_FILES } from '@airlock/contracts';

type ScanCall = grpc.ServerUnaryCall<airlock.dlp.v1.ScanRequest, airlock.dlp.v1.ScanResponse>;

async function listen(server: grpc.Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return `127.0.0.1:${port}`;
}

describe('gRPC client factory and standard services', () => {
  const seen: { correlation: unknown[]; deadline: number }[] = [];
  let attempts = 0;
  const server = new grpc.Server();
  const health = new HealthReporter(['airlock.dlp.v1.DlpService']);
  let address: string;

  beforeAll(async () => {
    const pkg = loadProtos([PROTO_FILES.dlp]);
    addStandardServices(server, pkg, health);
    server.addService(airlock.dlp.v1.DlpServiceService, {
      scan: (call: ScanCall, callback: grpc.sendUnaryData<airlock.dlp.v1.ScanResponse>) => {
        attempts += 1;
        seen.push({ correlation: call.metadata.get('x-correlation-id'), deadline: call.getDeadline() as number });
        // The first attempt of a request marked "flaky" fails as a restarting server would.
        if (call.request.text === 'flaky' && attempts === 1) return callback({ code: grpc.status.UNAVAILABLE, details: 'restarting' });
        callback(null, { action: airlock.dlp.v1.Action.ACTION_ALLOW, text: call.request.text, findings: [], ruleSetVersion: 't' });
      },
    });
    address = await listen(server);
  });

  afterAll(() => server.forceShutdown());

  it('reports NOT_SERVING until the application says it is ready', async () => {
    expect(await checkHealth(address, 'airlock.dlp.v1.DlpService')).toBe('NOT_SERVING');
    health.setServing(true);
    expect(await checkHealth(address, 'airlock.dlp.v1.DlpService')).toBe('SERVING');
    expect(await checkHealth(address)).toBe('SERVING');
  });

  it('says UNREACHABLE, quickly, for a server that is not there', async () => {
    const started = Date.now();
    expect(await checkHealth('127.0.0.1:1', '', 300)).toBe('UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('propagates the correlation id and sets a deadline on every call', async () => {
    const client = createClient(airlock.dlp.v1.DlpServiceClient, address, { deadlineMs: 1_234 });
    const before = Date.now();
    const res = await runWithCorrelation('corr-12345678', () =>
      unary(client.scan.bind(client), { text: 'hi', direction: 1, correlationId: '' }),
    );
    client.close();
    expect(res.text).toBe('hi');
    const last = seen.at(-1)!;
    expect(last.correlation).toEqual(['corr-12345678']);
    expect(last.deadline - before).toBeGreaterThan(1_000);
    expect(last.deadline - before).toBeLessThan(2_500);
  });

  it('retries idempotent methods on UNAVAILABLE, and only those', async () => {
    attempts = 0;
    const plain = createClient(airlock.dlp.v1.DlpServiceClient, address);
    await expect(unary(plain.scan.bind(plain), { text: 'flaky', direction: 1, correlationId: '' })).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    plain.close();

    attempts = 0;
    const retrying = createClient(airlock.dlp.v1.DlpServiceClient, address, { idempotent: ['airlock.dlp.v1.DlpService/Scan'] });
    const res = await unary(retrying.scan.bind(retrying), { text: 'flaky', direction: 1, correlationId: '' });
    retrying.close();
    expect(res.text).toBe('flaky');
    expect(attempts).toBe(2);
  });
});
