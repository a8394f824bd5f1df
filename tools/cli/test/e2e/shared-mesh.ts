// One mesh for the specs that only add data of their own to it (their own tenants, tokens, correlation ids,
// sessions and repositories) and change nothing every caller sees: starting a mesh is ten services, a broker and
// Envoy, most of a short spec's time on two cores. Specs that stop, restart or reconfigure a service, or change
// the active policy, start a mesh of their own.
//
// The first spec that asks starts it; a later one finds it running (startMesh reuses a mesh whose processes all
// run, and starts it again if one does not). The name comes from the run's global setup, which also stops it.
import { uniquePrefix } from '@airlock/testing';
import { startMesh, stopMesh, type MeshInfo } from '../../src/mesh';

const NAME_VARIABLE = 'AIRLOCK_E2E_SHARED_MESH';

/** The run's shared mesh, started by the first caller. */
export function sharedMesh(): Promise<MeshInfo> {
  const name = process.env[NAME_VARIABLE];
  if (!name) throw new Error(`${NAME_VARIABLE} is not set: run the end-to-end specs with jest.e2e.config.js (its global setup names the shared mesh)`);
  return startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[${name}] ${l}\n`) });
}

/** Jest's global setup: names this run's shared mesh (for every spec file and for the teardown). */
export function nameSharedMesh(): void {
  process.env[NAME_VARIABLE] = uniquePrefix('e2e-shared');
}

/** Jest's global teardown: stops the shared mesh, if a spec started it. */
export async function stopSharedMesh(): Promise<void> {
  const name = process.env[NAME_VARIABLE];
  if (name) await stopMesh(name);
}
