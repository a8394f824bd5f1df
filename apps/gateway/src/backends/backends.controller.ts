import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { BackendPool } from '../routing/backend-pool';

@Controller()
export class BackendsController {
  constructor(private readonly backends: BackendPool) {}

  @GrpcMethod('GatewayService', 'ListBackends')
  async listBackends(): Promise<airlock.gateway.v1.ListBackendsResponse> {
    const list = this.backends.list();
    const healthy = await Promise.all(list.map((b) => this.backends.probe(b.id)));
    return { backends: list.map((b, i) => ({ ...b, healthy: healthy[i] })) };
  }
}
