import { Server, ServerCredentials } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { PROTO_DIR } from '@airlock/contracts';

/**
 * How servers decode messages: camelCase fields, numbers for enums and 64-bit integers, defaults filled in —
 * the same shapes the ts-proto generated types describe, so handlers can be typed with them.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: false,
  includeDirs: [PROTO_DIR],
};

export function loadProtos(files: string[]): protoLoader.PackageDefinition {
  return protoLoader.loadSync(files, PROTO_LOADER_OPTIONS);
}

/**
 * grpc.health.v1.Health for the server as a whole ("") and for each named service. Starts NOT_SERVING and
 * flips when the application says it is ready; goes back to NOT_SERVING first thing on shutdown, so load
 * balancers stop routing before connections drain.
 */
export class HealthReporter {
  private readonly impl: HealthImplementation;

  constructor(private readonly services: string[]) {
    this.impl = new HealthImplementation(Object.fromEntries(['', ...services].map((s) => [s, 'NOT_SERVING'])));
  }

  addToServer(server: Pick<Server, 'addService'>): void {
    this.impl.addToServer(server as Server);
  }

  setServing(serving: boolean): void {
    for (const s of ['', ...this.services]) this.impl.setStatus(s, serving ? 'SERVING' : 'NOT_SERVING');
  }
}

/** Adds health and server reflection (v1 and v1alpha) next to the application's services. */
export function addStandardServices(
  server: Pick<Server, 'addService'>,
  packageDefinition: protoLoader.PackageDefinition,
  health: HealthReporter,
): void {
  health.addToServer(server);
  new ReflectionService(packageDefinition).addToServer(server);
}

/**
 * A second, plaintext listener serving only grpc.health.v1 (the same statuses): for probes that cannot present a
 * client certificate, such as the kubelet's gRPC probe, while the service's own port requires mTLS. It reveals
 * nothing but SERVING / NOT_SERVING.
 */
export async function startHealthListener(health: HealthReporter, host: string, port: number): Promise<Server> {
  const server = new Server();
  health.addToServer(server);
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return server;
}
