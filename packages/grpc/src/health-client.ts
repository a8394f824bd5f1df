import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';

type HealthResponse = { status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' };
type HealthClient = grpc.Client & {
  check(req: { service: string }, options: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: HealthResponse) => void): void;
};

let HealthCtor: (new (address: string, creds: grpc.ChannelCredentials) => HealthClient) | undefined;

/**
 * Asks a server's grpc.health.v1.Health for a service's status ("" = the server as a whole). Resolves to
 * the status, or to 'UNREACHABLE' when the call fails (connection refused, deadline exceeded, a TLS handshake
 * refused). `credentials`: a server requiring mTLS needs a client certificate (default: plaintext).
 */
export async function checkHealth(
  address: string,
  service = '',
  deadlineMs = 1_000,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): Promise<HealthResponse['status'] | 'UNREACHABLE'> {
  if (!HealthCtor) {
    const def = grpc.loadPackageDefinition(protoLoader.loadSync(HEALTH_PROTO, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: typeof HealthCtor } } };
    };
    HealthCtor = def.grpc.health.v1.Health;
  }
  const client = new HealthCtor!(address, credentials);
  try {
    return await new Promise((resolve) => {
      client.check({ service }, { deadline: Date.now() + deadlineMs }, (err, res) => resolve(err ? 'UNREACHABLE' : res.status));
    });
  } finally {
    client.close();
  }
}
