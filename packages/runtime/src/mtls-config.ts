// The mTLS settings every service reads, and the gRPC credentials they turn into. Plaintext only when asked for by
// name (MTLS_OFF_FOR_DEVELOPMENT=true): a forgotten variable stops the boot instead of silently opening the port.
import { ConfigError, env, z } from '@airlock/config';
import {
  GrpcCredentials,
  mtlsChannelCredentials,
  mtlsServerCredentials,
  readMtlsMaterial,
  type ChannelCredentials,
  type MtlsMaterial,
} from '@airlock/grpc';
import { ServerCredentials } from '@grpc/grpc-js';
import { accessSync, constants } from 'node:fs';

export const mtlsShape = {
  /** PEM: this service's certificate (naming it: CN and URI SAN `spiffe://airlock/<service>`) and its intermediates. */
  MTLS_CERT_FILE: z.string().min(1).optional(),
  /** PEM: the certificate's private key. */
  MTLS_KEY_FILE: z.string().min(1).optional(),
  /** PEM: the CA every peer's certificate must chain to. */
  MTLS_CA_FILE: z.string().min(1).optional(),
  /** `true`: gRPC in plaintext, no caller checks — for a developer's single in-process service only. */
  MTLS_OFF_FOR_DEVELOPMENT: env.bool(false),
  /** A plaintext port serving grpc.health.v1 only, for probes without a client certificate (the kubelet's). */
  GRPC_HEALTH_PORT: env.port().optional(),
};
export type MtlsConfig = z.infer<z.ZodObject<typeof mtlsShape>>;

const FILES = ['MTLS_CERT_FILE', 'MTLS_KEY_FILE', 'MTLS_CA_FILE'] as const;

/** The files' content, or undefined when mTLS is off; a ConfigError names every missing or unreadable variable. */
export function loadMtlsMaterial(config: MtlsConfig): MtlsMaterial | undefined {
  if (config.MTLS_OFF_FOR_DEVELOPMENT) return undefined;
  const missing = FILES.filter((name) => !config[name]);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((variable) => ({ variable, message: 'required (or MTLS_OFF_FOR_DEVELOPMENT=true for plaintext in development)' })));
  }
  const problems: ConfigError['problems'] = [];
  for (const variable of FILES) {
    try {
      accessSync(config[variable]!, constants.R_OK);
    } catch (error) {
      problems.push({ variable, message: `cannot read ${config[variable]}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return readMtlsMaterial({ certFile: config.MTLS_CERT_FILE!, keyFile: config.MTLS_KEY_FILE!, caFile: config.MTLS_CA_FILE! });
}

export function serverCredentialsFor(material: MtlsMaterial | undefined): ServerCredentials {
  return material ? mtlsServerCredentials(material) : ServerCredentials.createInsecure();
}

const channelCache = new WeakMap<object, ChannelCredentials>();

/**
 * Credentials for this service's gRPC clients: its own certificate when mTLS is on (the callee checks it against
 * its call graph), plaintext when MTLS_OFF_FOR_DEVELOPMENT=true. Read once per validated config.
 */
export function grpcClientCredentials(config: MtlsConfig): ChannelCredentials {
  let credentials = channelCache.get(config);
  if (!credentials) {
    const material = loadMtlsMaterial(config);
    credentials = material ? mtlsChannelCredentials(material) : GrpcCredentials.createInsecure();
    channelCache.set(config, credentials);
  }
  return credentials;
}
