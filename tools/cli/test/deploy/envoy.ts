// The edge's configuration for Kubernetes: envoy/envoy.template.yaml rendered with deploy/kubernetes/envoy/vars.json
// by the same renderer the dev and test meshes use (tools/cli/src/envoy-config.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envoyVars, renderEnvoyConfig, type EnvoyVars, type EnvoyVarsInput } from '../../src/envoy-config';
import { K8S_DIR } from './manifests';

export const ENVOY_VARS_FILE = path.join(K8S_DIR, 'envoy', 'vars.json');
export const ENVOY_RENDERED_FILE = path.join(K8S_DIR, 'envoy', 'envoy.yaml');
export const UPDATE_VARIABLE = 'AIRLOCK_UPDATE_DEPLOY';

const GENERATED_HEADER = [
  '# GENERATED from envoy/envoy.template.yaml with deploy/kubernetes/envoy/vars.json. Do not edit; after changing',
  `# either, regenerate: ${UPDATE_VARIABLE}=1 pnpm --filter @airlock/cli exec jest test/deploy/envoy-kubernetes`,
  '',
].join('\n');

export function kubernetesEnvoyVarsInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(ENVOY_VARS_FILE, 'utf8')) as Record<string, unknown>;
}

export function kubernetesEnvoyVars(): EnvoyVars {
  return envoyVars(kubernetesEnvoyVarsInput() as unknown as EnvoyVarsInput);
}

/** What envoy/envoy.yaml must contain; `overrides` replace variables (e.g. certificate paths for a local check). */
export function renderKubernetesEnvoyConfig(overrides: Partial<EnvoyVars> = {}): string {
  return GENERATED_HEADER + renderEnvoyConfig({ ...kubernetesEnvoyVars(), ...overrides });
}
