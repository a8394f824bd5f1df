import { Controller, Get, Module } from '@nestjs/common';
import { ConfigError, env } from '@airlock/config';
import { checkHealth } from '@airlock/grpc';
import { freePort } from '@airlock/testing';
import { Agent, get } from 'node:http';
import { bootService, type ServiceDefinition } from './boot';
import { AppError, GrpcStatus } from './errors';

class QuotaError extends AppError {
  constructor() {
    super('quota_exceeded', 'over quota', { httpStatus: 429, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED, retryable: true });
  }
}

@Controller()
class ProbeController {
  @Get('quota')
  quota(): never {
    throw new QuotaError();
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret detail that must not leak');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const shape = { PROBE_LIMIT: env.int(5, 1) };
const def: ServiceDefinition<typeof shape> = {
  name: 'probe',
  config: shape,
  http: true,
  grpc: { protoFiles: [], packages: [], services: ['airlock.probe.v1.Probe'], allowedCallers: {} },
  module: () => ProbeModule,
};

describe('bootService', () => {
  it('names every bad variable, common and service-specific, before starting anything', async () => {
    const error = await bootService(def, { MTLS_OFF_FOR_DEVELOPMENT: 'true', GRPC_PORT: 'nope', PROBE_LIMIT: '0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['GRPC_PORT', 'HTTP_PORT', 'METRICS_PORT', 'PROBE_LIMIT']);
  });

  describe('a running service', () => {
    let service: Awaited<ReturnType<typeof bootService>>;

    beforeAll(async () => {
      service = await bootService(def, {
        MTLS_OFF_FOR_DEVELOPMENT: 'true',
        GRPC_PORT: String(await freePort()),
        HTTP_PORT: String(await freePort()),
        METRICS_PORT: String(await freePort()),
        LOG_LEVEL: 'fatal',
        SHUTDOWN_GRACE_MS: '2500',
      });
    });

    afterAll(() => service?.close());

    it('maps a typed error once to the HTTP envelope, with the correlation id', async () => {
      const res = await fetch(`http://${service.httpAddress}/quota`, { headers: { 'x-correlation-id': 'corr-abcdef12' } });
      expect(res.status).toBe(429);
      expect(res.headers.get('x-correlation-id')).toBe('corr-abcdef12');
      expect(await res.json()).toEqual({
        error: { code: 'quota_exceeded', message: 'over quota', correlation_id: 'corr-abcdef12', retryable: true },
      });
    });

    it('hides unexpected errors behind a generic 500 and a fresh correlation id', async () => {
      const res = await fetch(`http://${service.httpAddress}/crash`, { headers: { 'x-correlation-id': 'bad id\r\n' } });
      const body: any = await res.json();
      expect(res.status).toBe(500);
      expect(body.error.code).toBe('internal');
      expect(JSON.stringify(body)).not.toContain('secret detail');
      expect(body.error.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('carries the validated shutdown grace, not a second reading of the environment', () => {
      expect(service.shutdownGraceMs).toBe(2500);
    });

    it('keeps an idle connection 75 s, longer than the edge keeps one (so Envoy is the side that closes it)', async () => {
      const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
        get(`http://${service.httpAddress}/quota`, { agent: new Agent({ keepAlive: true }) }, (res) => {
          res.resume();
          resolve(res.headers['keep-alive'] as string | undefined);
        }).on('error', reject);
      });
      expect(keepAlive).toBe('timeout=75');
    });

    it('serves grpc health and goes away on close', async () => {
      expect(await checkHealth(service.grpcAddress, 'airlock.probe.v1.Probe')).toBe('SERVING');
      const address = service.grpcAddress;
      await service.close();
      expect(await checkHealth(address, '', 300)).toBe('UNREACHABLE');
    });
  });
});
