import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ENVOY_TEMPLATE_PATH,
  EnvoyVars,
  envoyVars,
  renderEnvoyConfig,
  templateVariables,
  validateEnvoyConfig,
  writeEnvoyConfig,
} from './envoy-config';
import { ensureWorkloadCertificates } from './mtls-pki';
import { EDGE_LOGGED_PRINCIPAL_HEADERS, EDGE_OWNED_HEADERS } from '@airlock/identity-assertion';
import { CORRELATION_HEADER } from '@airlock/telemetry';
import { ensureEnvoy } from '@airlock/testing';
import YAML from 'yaml';



/** Every value stored under `key` anywhere in a parsed YAML document. */
function valuesOf(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => valuesOf(n, key));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === key ? [v, ...valuesOf(v, key)] : valuesOf(v, key)));
}

function fullVars(dir: string): EnvoyVars {
  return envoyVars({
    TLS_CERT_CHAIN: path.join(dir, 'server.pem'),
    TLS_PRIVATE_KEY: path.join(dir, 'server-key.pem'),
    ACCESS_LOG_PATH: path.join(dir, 'access.log'),
    MTLS_CERT_CHAIN: path.join(dir, 'mtls', 'envoy.pem'),
    MTLS_PRIVATE_KEY: path.join(dir, 'mtls', 'envoy-key.pem'),
    MTLS_CA: path.join(dir, 'ca-bundle.pem'),
    POLICY_GRPC_HOST: 'policy',
    POLICY_GRPC_PORT: 50053,
    GATEWAY_HTTP_HOST: 'gateway',
    GATEWAY_HTTP_PORT: 3000,
    IDENTITY_HTTP_HOST: 'identity',
    IDENTITY_HTTP_PORT: 3001,
    POLICY_HTTP_HOST: 'policy',
    POLICY_HTTP_PORT: 3003,
    AUDIT_GRPC_HOST: 'audit',
    AUDIT_GRPC_PORT: 50056,
    AUDIT_HTTP_HOST: 'audit',
    AUDIT_HTTP_PORT: 3006,
    USAGE_HTTP_HOST: 'usage',
    USAGE_HTTP_PORT: 3007,
    RAG_HTTP_HOST: 'rag',
    RAG_HTTP_PORT: 3010,
  });
}

describe('envoy config template', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-envoy-cfg-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies the defaults', () => {
    const v = fullVars(dir);
    expect(v).toMatchObject({ LISTEN_ADDRESS: '0.0.0.0', HTTPS_PORT: 8443, HTTPS_PUBLIC_PORT: 8443, HTTP_PORT: 8080 });
    expect(envoyVars({ ...v, HTTPS_PORT: 443, HTTPS_PUBLIC_PORT: undefined }).HTTPS_PUBLIC_PORT).toBe(443);
  });

  it('every template placeholder is an EnvoyVars key and vice versa', () => {
    const names = templateVariables(fs.readFileSync(ENVOY_TEMPLATE_PATH, 'utf8')).sort();
    expect(names).toEqual(Object.keys(fullVars(dir)).sort());
  });

  it('renders with no placeholder left', () => {
    const out = renderEnvoyConfig(fullVars(dir));
    expect(out).not.toContain('${');
    expect(out).toContain('port_value: 8443');
    expect(out).toContain(`filename: "${path.join(dir, 'server.pem')}"`);
    expect(out).toMatch(/address: 127\.0\.0\.1, port_value: 9901/);
  });

  it('strips exactly the edge-owned headers from client requests, and logs the ones audit reads', () => {
    const config: unknown = YAML.parse(renderEnvoyConfig(fullVars(dir)));
    const removed = valuesOf(config, 'request_mutations').flatMap((list) => valuesOf(list, 'remove'));
    expect([...removed].sort()).toEqual([...EDGE_OWNED_HEADERS].sort());
    expect(valuesOf(config, 'additional_request_headers_to_log')).toEqual([[CORRELATION_HEADER, ...EDGE_LOGGED_PRINCIPAL_HEADERS]]);
  });

  it('throws naming every unset variable', () => {
    const vars = { ...fullVars(dir) } as Partial<EnvoyVars>;
    delete vars.POLICY_GRPC_HOST;
    delete vars.ACCESS_LOG_PATH;
    expect(() => renderEnvoyConfig(vars as EnvoyVars)).toThrow(/unset.*ACCESS_LOG_PATH.*POLICY_GRPC_HOST|unset.*POLICY_GRPC_HOST.*ACCESS_LOG_PATH/);
    expect(() => renderEnvoyConfig(fullVars(dir), { template: 'a: ${NOT_A_VAR}\n' })).toThrow(/NOT_A_VAR/);
  });

  it('rejects values that would break or inject into the YAML', () => {
    expect(() => renderEnvoyConfig({ ...fullVars(dir), HTTPS_PORT: 70000 })).toThrow(/HTTPS_PORT/);
    expect(() => renderEnvoyConfig({ ...fullVars(dir), GATEWAY_HTTP_HOST: 'x"\n  evil: 1' })).toThrow(/GATEWAY_HTTP_HOST/);
    expect(() => renderEnvoyConfig({ ...fullVars(dir), ACCESS_LOG_PATH: 'relative.log' })).toThrow(/ACCESS_LOG_PATH/);
    expect(() => renderEnvoyConfig({ ...fullVars(dir), TLS_PRIVATE_KEY: '/a"b' })).toThrow(/TLS_PRIVATE_KEY/);
  });

  it('is accepted by the real Envoy (--mode validate)', async () => {
    const envoy = await ensureEnvoy();
    await ensureWorkloadCertificates(dir, ['envoy']);
    const file = path.join(dir, 'envoy.yaml');
    await writeEnvoyConfig(file, fullVars(dir));
    expect(fs.readFileSync(file, 'utf8')).not.toContain('${');
    await expect(validateEnvoyConfig(envoy, file)).resolves.toBeUndefined();
  }, 240_000);

  it('validateEnvoyConfig reports a broken config', async () => {
    const envoy = await ensureEnvoy();
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'static_resources:\n  listeners:\n    - name: x\n      nonsense_field: 1\n');
    await expect(validateEnvoyConfig(envoy, file)).rejects.toThrow(/envoy rejected/);
  }, 240_000);
});
