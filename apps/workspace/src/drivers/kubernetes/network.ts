import { z } from '@airlock/config';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';

const portSchema = z.object({
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
});

const WIDE_OPEN = new Set(['0.0.0.0/0', '::/0']);

/** One side of a connection: a CIDR, or pods selected by namespace and/or labels (both must match). */
export const peerSchema = z
  .object({
    cidr: z
      .string()
      .regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'expected a CIDR')
      .refine((cidr) => !WIDE_OPEN.has(cidr), 'would allow the whole internet')
      .optional(),
    namespace: z.string().min(1).optional(),
    podLabels: z.record(z.string(), z.string()).optional(),
    ports: z.array(portSchema).default([]),
  })
  .refine((p) => p.cidr !== undefined || p.namespace !== undefined || p.podLabels !== undefined, 'a peer needs cidr, namespace or podLabels')
  .refine((p) => p.cidr === undefined || (p.namespace === undefined && p.podLabels === undefined), 'a CIDR peer cannot also select pods');

export type NetworkPeer = z.infer<typeof peerSchema>;

/**
 * Where workspace traffic may flow, so code in a workspace cannot send data anywhere but through Airlock: in, only from the edge proxy; out, only to the AI gateway,
 * internal Git/registry, package mirrors and DNS. Everything else is denied by the policy's existence.
 */
export const networkConfigSchema = z.object({
  ingress: z.array(peerSchema).default([{ namespace: 'airlock', podLabels: { 'app.kubernetes.io/name': 'envoy' }, ports: [] }]),
  egress: z
    .object({
      gateway: z
        .array(peerSchema)
        .min(1)
        // The edge's HTTPS port (WORKSPACE_GATEWAY_URL): AI calls pass ext_authz like every other client's.
        .default([{ namespace: 'airlock', podLabels: { 'app.kubernetes.io/name': 'envoy' }, ports: [{ port: 8443, protocol: 'TCP' }] }]),
      git: z.array(peerSchema).default([]),
      mirrors: z.array(peerSchema).default([]),
      dns: z.array(peerSchema).default([
        {
          namespace: 'kube-system',
          podLabels: { 'k8s-app': 'kube-dns' },
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ]),
    })
    .prefault({}),
});

export type NetworkConfig = z.infer<typeof networkConfigSchema>;

/** The egress categories, in the order their rules appear in the policy. */
export const EGRESS_PURPOSES = ['gateway', 'git', 'mirrors', 'dns'] as const;

export function toPolicyPeer(peer: NetworkPeer): INetworkPolicyPeer {
  if (peer.cidr !== undefined) return { ipBlock: { cidr: peer.cidr } };
  const selected: INetworkPolicyPeer = {};
  if (peer.namespace !== undefined) selected.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } };
  if (peer.podLabels !== undefined) selected.podSelector = { matchLabels: { ...peer.podLabels } };
  return selected;
}

export function toPolicyPorts(peer: NetworkPeer): INetworkPolicyPort[] | undefined {
  return peer.ports.length ? peer.ports.map((p) => ({ port: p.port, protocol: p.protocol })) : undefined;
}

export function egressRules(network: NetworkConfig): INetworkPolicyEgressRule[] {
  return EGRESS_PURPOSES.flatMap((purpose) =>
    network.egress[purpose].map((peer) => {
      const ports = toPolicyPorts(peer);
      return ports ? { to: [toPolicyPeer(peer)], ports } : { to: [toPolicyPeer(peer)] };
    }),
  );
}
