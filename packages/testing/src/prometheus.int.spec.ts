import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fakeDebianInstaller } from './fake-debian-installer';
import { ensurePrometheus, PROMETHEUS_PATH, PROMTOOL_PATH } from './index';

jest.setTimeout(15 * 60_000);

const fakeInstaller = (state: { installed: Set<string>; root: boolean; sudo: boolean; debian?: boolean; version?: string }) =>
  fakeDebianInstaller({
    provides: [PROMETHEUS_PATH, PROMTOOL_PATH],
    ...state,
    version: state.version ?? 'prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5)',
  });

const both = () => new Set([PROMETHEUS_PATH, PROMTOOL_PATH]);

describe('ensurePrometheus', () => {
  it('does not install when prometheus and promtool exist', async () => {
    const { installer, calls } = fakeInstaller({ installed: both(), root: false, sudo: false });
    await expect(ensurePrometheus(installer)).resolves.toEqual({ prometheus: PROMETHEUS_PATH, promtool: PROMTOOL_PATH });
    expect(calls).toEqual([]);
  });

  it('installs Debian prometheus with apt-get as root, or through passwordless sudo, when either binary is missing', async () => {
    const asRoot = fakeInstaller({ installed: new Set([PROMETHEUS_PATH]), root: true, sudo: false });
    await expect(ensurePrometheus(asRoot.installer)).resolves.toEqual({ prometheus: PROMETHEUS_PATH, promtool: PROMTOOL_PATH });
    expect(asRoot.calls).toEqual(['root:prometheus']);
    const withSudo = fakeInstaller({ installed: new Set(), root: false, sudo: true });
    await expect(ensurePrometheus(withSudo.installer)).resolves.toEqual({ prometheus: PROMETHEUS_PATH, promtool: PROMTOOL_PATH });
    expect(withSudo.calls).toEqual(['sudo:prometheus']);
  });

  it('says what to run when it cannot install, and refuses a binary that is not Prometheus', async () => {
    const { installer } = fakeInstaller({ installed: new Set(), root: false, sudo: false });
    await expect(ensurePrometheus(installer)).rejects.toThrow(/sudo apt-get install prometheus/);
    const notDebian = fakeInstaller({ installed: new Set(), root: true, sudo: false, debian: false });
    await expect(ensurePrometheus(notDebian.installer)).rejects.toThrow(/not a Debian/);
    const impostor = fakeInstaller({ installed: both(), root: false, sudo: false, version: 'something else 1.0' });
    await expect(ensurePrometheus(impostor.installer)).rejects.toThrow(/expected Prometheus/);
  });

  it('returns a prometheus and a promtool that run', async () => {
    const bins = await ensurePrometheus();
    const { stdout, stderr } = await promisify(execFile)(bins.promtool, ['--version'], { timeout: 60_000 });
    expect(`${stdout}${stderr}`).toMatch(/^promtool, version \d+\./m);
  });
});
