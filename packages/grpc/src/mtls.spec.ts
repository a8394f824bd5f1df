import type { PeerCertificate } from 'node:tls';
import { callAllowed, workloadOf, type CallGraph } from './mtls';

/** A verified peer certificate as node:tls reports it, with only the fields the workload name comes from. */
function peer(options: { cn?: string; sans?: string[] }): PeerCertificate {
  return { subject: { CN: options.cn }, subjectaltname: options.sans?.join(', ') } as unknown as PeerCertificate;
}

describe('workloadOf', () => {
  it('names the workload from the spiffe://airlock/ URI SAN first, else from the CN', () => {
    expect(workloadOf(peer({ cn: 'ignored', sans: ['DNS:localhost', 'URI:spiffe://airlock/gateway', 'IP Address:127.0.0.1'] }))).toBe('gateway');
    expect(workloadOf(peer({ cn: 'policy', sans: ['DNS:policy'] }))).toBe('policy');
    expect(workloadOf(peer({ cn: 'usage', sans: ['URI:spiffe://other-trust-domain/gateway'] }))).toBe('usage');
  });

  it('names nobody without a certificate', () => {
    expect(workloadOf(undefined)).toBeUndefined();
    expect(workloadOf({} as PeerCertificate)).toBeUndefined();
  });
});

describe('callAllowed', () => {
  const graph: CallGraph = {
    policy: ['airlock.identity.v1.IdentityService/VerifyToken'],
    gateway: ['airlock.dlp.v1.DlpService'],
  };

  it('admits a caller to the methods and services the graph lists for it, and to nothing else', () => {
    expect(callAllowed(graph, 'policy', '/airlock.identity.v1.IdentityService/VerifyToken')).toBe(true);
    expect(callAllowed(graph, 'policy', '/airlock.identity.v1.IdentityService/IssueToken')).toBe(false);
    expect(callAllowed(graph, 'gateway', '/airlock.dlp.v1.DlpService/ScanStream')).toBe(true);
    expect(callAllowed(graph, 'usage', '/airlock.dlp.v1.DlpService/Scan')).toBe(false);
    // A name that happens to be an Object.prototype key is no caller.
    expect(callAllowed(graph, 'constructor', '/airlock.dlp.v1.DlpService/Scan')).toBe(false);
  });

  it('opens health to every verified caller, and nothing to an unnamed one', () => {
    expect(callAllowed(graph, 'usage', '/grpc.health.v1.Health/Check')).toBe(true);
    expect(callAllowed(graph, undefined, '/grpc.health.v1.Health/Check')).toBe(false);
  });
});
