// Renders envoy/envoy.template.yaml for one environment. The template is the single source of the edge
// configuration; environments differ only in the variables below.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** envoy/envoy.template.yaml, resolved from this file (tools/cli/src or tools/cli/dist). */
export const ENVOY_TEMPLATE_PATH = path.resolve(__dirname, '..', '..', '..', 'envoy', 'envoy.template.yaml');

/** Template variables; the keys are the `${NAME}` placeholders in envoy.template.yaml. */
export interface EnvoyVars {
  /** Address the HTTPS and HTTP listeners bind to. */
  LISTEN_ADDRESS: string;
  HTTPS_PORT: number;
  /** Port clients use to reach HTTPS (target of the HTTP -> HTTPS redirect); differs from HTTPS_PORT behind NAT. */
  HTTPS_PUBLIC_PORT: number;
  /** Plain-HTTP listener; only redirects to HTTPS. */
  HTTP_PORT: number;
  /** Admin interface; always bound to 127.0.0.1. */
  ADMIN_PORT: number;
  /** PEM: server certificate followed by the intermediate(s). Absolute path. */
  TLS_CERT_CHAIN: string;
  /** PEM private key. Absolute path. */
  TLS_PRIVATE_KEY: string;
  /** JSON-lines access log. Absolute path (e.g. /dev/stdout in a container). */
  ACCESS_LOG_PATH: string;
  /** Policy service gRPC (ext_authz). */
  POLICY_GRPC_HOST: string;
  POLICY_GRPC_PORT: number;
  /** Gateway HTTP (/v1/, /tabby/). */
  GATEWAY_HTTP_HOST: string;
  GATEWAY_HTTP_PORT: number;
  /** Identity HTTP (/auth/ without ext_authz, /api/identity/ with it). */
  IDENTITY_HTTP_HOST: string;
  IDENTITY_HTTP_PORT: number;
  /** Policy API HTTP (/api/policy/). */
  POLICY_HTTP_HOST: string;
  POLICY_HTTP_PORT: number;
  /** PEM: Envoy's client certificate (workload `envoy`) + intermediates, presented to policy and audit over mTLS. Absolute path. */
  MTLS_CERT_CHAIN: string;
  /** PEM: its private key. Absolute path. */
  MTLS_PRIVATE_KEY: string;
  /** PEM: the internal CA the services' certificates chain to. Absolute path. */
  MTLS_CA: string;
  /** Audit service gRPC: receives Envoy's access log (AccessLogService) as audit events. */
  AUDIT_GRPC_HOST: string;
  AUDIT_GRPC_PORT: number;
  /** Audit trail search HTTP (/api/audit/). */
  AUDIT_HTTP_HOST: string;
  AUDIT_HTTP_PORT: number;
  /** Usage reports HTTP (/api/usage/). */
  USAGE_HTTP_HOST: string;
  USAGE_HTTP_PORT: number;
  /** Code RAG's repository API HTTP (/api/rag/v1/repositories/). */
  RAG_HTTP_HOST: string;
  RAG_HTTP_PORT: number;
  /** Workspace service's browser route (/w/<workspace-id>/, WORKSPACE_PROXY_PORT). */
  WORKSPACE_HTTP_HOST: string;
  WORKSPACE_HTTP_PORT: number;
  /** The portal (the SPA): every path no other route claims. */
  PORTAL_HTTP_HOST: string;
  PORTAL_HTTP_PORT: number;
  /** Workspace service's owner API (/api/workspace/, its HTTP_PORT). */
  WORKSPACE_API_HOST: string;
  WORKSPACE_API_PORT: number;
  /** Terminal service HTTP: its API (/api/terminal/) and WebSockets (/ws/terminal/). */
  TERMINAL_HTTP_HOST: string;
  TERMINAL_HTTP_PORT: number;
}

export const ENVOY_VAR_DEFAULTS = {
  LISTEN_ADDRESS: '0.0.0.0',
  HTTPS_PORT: 8443,
  HTTP_PORT: 8080,
  ADMIN_PORT: 9901,
  // The documented dev ports of the workspace route and owner API, and of the portal (see tools/cli/src/mesh.ts).
  WORKSPACE_HTTP_HOST: '127.0.0.1',
  WORKSPACE_HTTP_PORT: 7202,
  WORKSPACE_API_HOST: '127.0.0.1',
  WORKSPACE_API_PORT: 7212,
  PORTAL_HTTP_HOST: '127.0.0.1',
  PORTAL_HTTP_PORT: 7208,
  TERMINAL_HTTP_HOST: '127.0.0.1',
  TERMINAL_HTTP_PORT: 7209,
} as const satisfies Partial<EnvoyVars>;

type Defaulted = keyof typeof ENVOY_VAR_DEFAULTS | 'HTTPS_PUBLIC_PORT';
export type EnvoyVarsInput = Omit<EnvoyVars, Defaulted> & Partial<Pick<EnvoyVars, Defaulted>>;

/** Fills in the defaults (0.0.0.0, 8443, 8080, admin 9901, workspace route 127.0.0.1:7202 and API :7212, portal 127.0.0.1:7208, terminal 127.0.0.1:7209; HTTPS_PUBLIC_PORT = HTTPS_PORT). */
export function envoyVars(input: EnvoyVarsInput): EnvoyVars {
  const httpsPort = input.HTTPS_PORT ?? ENVOY_VAR_DEFAULTS.HTTPS_PORT;
  return {
    ...ENVOY_VAR_DEFAULTS,
    ...input,
    HTTPS_PORT: httpsPort,
    HTTPS_PUBLIC_PORT: input.HTTPS_PUBLIC_PORT ?? httpsPort,
  };
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The placeholder names a template uses, in order of first appearance. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Substitutes every `${NAME}` in the template with `vars[NAME]`. Throws naming every placeholder that has no
 * value, and every value that is not safe to splice into the YAML (ports must be integers 1-65535, hosts
 * plain host names/IPs, paths absolute and free of quotes, backslashes and control characters).
 */
export function renderEnvoyConfig(vars: EnvoyVars, options: { template?: string } = {}): string {
  const template = options.template ?? readFileSync(ENVOY_TEMPLATE_PATH, 'utf8');
  const values = vars as unknown as Record<string, unknown>;
  const names = templateVariables(template);

  const missing = names.filter((n) => values[n] === undefined || values[n] === null || values[n] === '');
  if (missing.length > 0) {
    throw new Error(`envoy config: unset template variable(s): ${missing.join(', ')}`);
  }
  const invalid = names.flatMap((n) => {
    const problem = checkValue(n, values[n]);
    return problem ? [`${n} ${problem}`] : [];
  });
  if (invalid.length > 0) {
    throw new Error(`envoy config: invalid template variable(s): ${invalid.join('; ')}`);
  }
  return template.replace(PLACEHOLDER, (_m, name: string) => String(values[name]));
}

/** Renders and writes the config atomically (temp file + rename), creating the directory if needed. */
export async function writeEnvoyConfig(file: string, vars: EnvoyVars, options: { template?: string } = {}): Promise<void> {
  const rendered = renderEnvoyConfig(vars, options);
  const target = path.resolve(file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(tmp, rendered, { mode: 0o644 });
  await fs.rename(tmp, target);
}

/** Runs `envoy --mode validate -c <file>`; throws with Envoy's diagnostics if the config is rejected. */
export async function validateEnvoyConfig(envoyBinary: string, file: string): Promise<void> {
  try {
    await execFileAsync(envoyBinary, ['--mode', 'validate', '-c', file, '--log-level', 'warn'], {
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const detail = `${e.stderr ?? ''}\n${e.stdout ?? ''}`.trim() || e.message;
    throw new Error(`envoy rejected ${file}:\n${detail.split('\n').slice(-40).join('\n')}`, { cause: err });
  }
}

function checkValue(name: string, value: unknown): string | undefined {
  if (name.endsWith('_PORT')) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : `must be a port number (1-65535), got ${JSON.stringify(value)}`;
  }
  if (typeof value !== 'string') return `must be a string, got ${typeof value}`;
  if (name.endsWith('_HOST') || name.endsWith('_ADDRESS')) {
    return /^[A-Za-z0-9][A-Za-z0-9.:_-]*$/.test(value) ? undefined : `must be a host name or IP address, got ${JSON.stringify(value)}`;
  }
  // Everything else is a file path, spliced into a double-quoted YAML scalar.
  if (!path.isAbsolute(value)) return `must be an absolute path, got ${JSON.stringify(value)}`;
  // eslint-disable-next-line no-control-regex
  if (/["\\\u0000-\u001f\u007f]/.test(value)) return 'must not contain quotes, backslashes or control characters';
  return undefined;
}
