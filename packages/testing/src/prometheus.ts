// Prometheus and promtool for the observability rules' tests and the dev mesh: Debian's `prometheus` package
// (from the configured apt mirror only). Only the binaries are used; every run gets its own config, port and
// data directory, so a system Prometheus service (if the package started one) is never touched.
import { ensureDebianTool, systemInstaller, type DebianInstaller } from './debian-package';

export const PROMETHEUS_PATH = '/usr/bin/prometheus';
export const PROMTOOL_PATH = '/usr/bin/promtool';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

/**
 * Paths of a runnable `prometheus` and `promtool`, installing Debian's `prometheus` package with apt-get first
 * when either is missing (as root, or through passwordless sudo). Throws saying what to run otherwise.
 */
export async function ensurePrometheus(installer: DebianInstaller = systemInstaller): Promise<PrometheusBinaries> {
  await ensureDebianTool(
    { name: 'Prometheus', pkg: 'prometheus', binaries: [PROMETHEUS_PATH, PROMTOOL_PATH], versionPattern: /^prometheus, version \d+\./m },
    installer,
  );
  return { prometheus: PROMETHEUS_PATH, promtool: PROMTOOL_PATH };
}
