// Mutual TLS between services: each process holds a certificate naming it (CN and a `spiffe://airlock/<name>`
// URI SAN) from the internal CA, servers refuse a handshake without a client certificate from that CA, and a call
// graph says which verified caller may call which service or method.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import { type PeerCertificate, type TlsOptions, TLSSocket } from 'node:tls';
import { CORRELATION_HEADER, acceptCorrelationId } from '@airlock/telemetry';

/** The trailer carrying an error's machine-readable code, next to the gRPC status. */
export const ERROR_CODE_TRAILER = 'x-error-code';

/** Code of the PERMISSION_DENIED answered to a verified caller the call graph does not list for a method. */
export const CALLER_NOT_ALLOWED = 'caller_not_allowed';

/** URI SAN prefix naming a workload; the path after it is the service (or `operator`) name. */
export const IDENTITY_URI_PREFIX = 'spiffe://airlock/';

/** A process's certificate, key and the CA it trusts, as PEM. */
export interface MtlsMaterial {
  /** Leaf certificate followed by its intermediates. */
  certChain: Buffer;
  privateKey: Buffer;
  /** The CA(s) a peer's certificate must chain to. */
  ca: Buffer;
}

/** Reads the PEM files; throws naming the file that could not be read (never its content). */
export function readMtlsMaterial(files: { certFile: string; keyFile: string; caFile: string }): MtlsMaterial {
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: error });
    }
  };
  return { certChain: read(files.certFile), privateKey: read(files.keyFile), ca: read(files.caFile) };
}

/** Server side: TLS with this process's certificate, and a client certificate from the CA required in the handshake. */
export function mtlsServerCredentials(material: MtlsMaterial): grpc.ServerCredentials {
  return grpc.ServerCredentials.createSsl(material.ca, [{ cert_chain: material.certChain, private_key: material.privateKey }], true);
}

/** Client side: the server must present a certificate from the CA for the address dialled; ours goes with every handshake. */
export function mtlsChannelCredentials(material: MtlsMaterial): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(material.ca, material.privateKey, material.certChain);
}

/**
 * An HTTPS server's side of the same rule as the gRPC ports: this process's certificate, and a client certificate
 * from the CA required in the handshake. TLS 1.3 only: it has no renegotiation, so the certificate a connection
 * started with is the one every request on it carries (the HTTP caller check reads it once per connection).
 */
export function mtlsHttpsServerOptions(material: MtlsMaterial): Pick<TlsOptions, 'cert' | 'key' | 'ca' | 'requestCert' | 'rejectUnauthorized' | 'minVersion'> {
  return { cert: material.certChain, key: material.privateKey, ca: material.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' };
}

/**
 * An HTTPS client's side: our certificate goes with every handshake, and the server must present one from the CA
 * naming `workload`. The workload name is checked instead of the host name, as Envoy's clusters do, so the same
 * certificate serves whatever address a deployment gives the service.
 */
export function mtlsHttpsClientOptions(material: MtlsMaterial, workload: string): AgentOptions {
  return {
    cert: material.certChain,
    key: material.privateKey,
    ca: material.ca,
    minVersion: 'TLSv1.3',
    checkServerIdentity: (_host, certificate) => (workloadOf(certificate) === workload ? undefined : new Error(`the server's certificate does not name ${workload}`)),
  };
}

/**
 * The workload a verified peer certificate names: the `spiffe://airlock/<name>` URI SAN when there is one (what a
 * production PKI is asked to put there), else the subject's CN.
 */
export function workloadOf(certificate: PeerCertificate | undefined): string | undefined {
  if (!certificate || Object.keys(certificate).length === 0) return undefined;
  const uris = (certificate.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith(`URI:${IDENTITY_URI_PREFIX}`))
    .map((entry) => entry.slice(`URI:${IDENTITY_URI_PREFIX}`.length));
  if (uris.length > 0) return uris[0] || undefined;
  const cn = certificate.subject?.CN;
  return (Array.isArray(cn) ? cn[0] : cn) || undefined;
}

/**
 * Who may call what: caller name → the services (`package.Service`) or methods (`package.Service/Method`) it may
 * call. Deployments express the same graph as NetworkPolicies; here it holds whatever the network lets through.
 */
export type CallGraph = Readonly<Record<string, readonly string[]>>;

/** Every verified caller may ask health: readiness checks and load balancers are not in the graph. */
const OPEN_TO_EVERY_VERIFIED_CALLER = ['grpc.health.v1.Health'];

/** Whether `caller` may call `path` (`/package.Service/Method`) under `graph`. */
export function callAllowed(graph: CallGraph, caller: string | undefined, path: string): boolean {
  const [service, method] = path.replace(/^\//, '').split('/');
  if (caller === undefined) return false;
  if (OPEN_TO_EVERY_VERIFIED_CALLER.includes(service)) return true;
  const allowed = Object.hasOwn(graph, caller) ? graph[caller] : [];
  return allowed.some((entry) => entry === service || entry === `${service}/${method}`);
}

export interface CallGraphRefusal {
  caller: string | undefined;
  path: string;
}

/**
 * The TLS connection a server call came in on. grpc-js keeps it on the call's HTTP/2 stream (`stream.session.socket`,
 * what its own getAuthContext reads) without exposing it, under however many interceptors (`nextCall`); undefined
 * when that shape is not there (another grpc-js), and the caller is then read from getAuthContext on every call.
 */
function connectionOf(call: grpc.ServerInterceptingCallInterface): TLSSocket | undefined {
  let current = call as unknown as { stream?: { session?: { socket?: unknown } }; nextCall?: unknown } | undefined;
  for (let depth = 0; current && depth < 16; depth++) {
    const socket = current.stream?.session?.socket;
    if (socket instanceof TLSSocket) return socket;
    current = current.nextCall as typeof current;
  }
  return undefined;
}

/**
 * The verified caller's workload, read once per connection: getAuthContext builds the whole peer certificate
 * (fingerprints included) on every call, the largest single cost in policy's ext_authz Check at 1000 req/s
 * (tools/bench/edge/ext-authz.js --cpu-prof). A connection's peer certificate cannot change: HTTP/2 forbids TLS
 * renegotiation (RFC 9113 §9.2.1), so the name found for its first call holds for all of them.
 */
const callers = new WeakMap<TLSSocket, string | undefined>();
export function callerOf(call: grpc.ServerInterceptingCallInterface): string | undefined {
  const connection = connectionOf(call);
  if (connection && callers.has(connection)) return callers.get(connection);
  const caller = workloadOf(call.getAuthContext().sslPeerCertificate);
  // Only a verified connection's: an unauthorized one names nobody (getAuthContext gives no certificate).
  if (connection?.authorized) callers.set(connection, caller);
  return caller;
}

/**
 * A grpc-js server interceptor enforcing `graph` on the peer certificate's workload name: a call the graph does not
 * allow ends with PERMISSION_DENIED and `caller_not_allowed` in the `x-error-code` trailer before any handler runs.
 * `onRefused` sees each refusal (names only: a certificate's content is never passed on).
 */
export function callGraphInterceptor(graph: CallGraph, onRefused: (refusal: CallGraphRefusal) => void = () => undefined): grpc.ServerInterceptor {
  return (descriptor, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, forward) {
            const caller = callerOf(call);
            if (callAllowed(graph, caller, descriptor.path)) {
              forward(metadata);
              return;
            }
            onRefused({ caller, path: descriptor.path });
            const trailer = new grpc.Metadata();
            trailer.set(ERROR_CODE_TRAILER, CALLER_NOT_ALLOWED);
            trailer.set(CORRELATION_HEADER, acceptCorrelationId(metadata.get(CORRELATION_HEADER)[0]));
            call.sendStatus({
              code: grpc.status.PERMISSION_DENIED,
              details: `caller ${caller ?? '(unnamed)'} may not call ${descriptor.path}`,
              metadata: trailer,
            });
          },
        });
      },
    });
}
