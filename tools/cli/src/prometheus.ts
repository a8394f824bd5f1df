// Prometheus for a mesh: the scrape config of every service's /metrics and Envoy's /stats/prometheus, with the
// recording rules and alerts of deploy/observability/prometheus/rules.yaml. `up` runs one on the dev port 9090;
// the observability end-to-end test runs one per mesh on a free port.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePrometheus, listManaged, portIsFree, spawnManaged, stopManaged } from '@airlock/testing';
import type { MeshInfo } from './mesh';
import { httpOk, waitUntil } from './readiness';
import { SERVICES } from './service-env';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OBSERVABILITY_DIR = path.join(ROOT, 'deploy', 'observability');
export const RULES_FILE = path.join(OBSERVABILITY_DIR, 'prometheus', 'rules.yaml');
/** The checked-in scrape config for the documented dev ports (what `renderPrometheusConfig(DEV_TARGETS)` gives). */
export const DEV_CONFIG_FILE = path.join(OBSERVABILITY_DIR, 'prometheus', 'prometheus.yml');
export const DEV_PROMETHEUS_PORT = 9090;

/** Where Prometheus scrapes: each service's metrics port (job = service name) and Envoy's admin port (job envoy). */
export interface ScrapeTargets {
  /** Metrics port by service, in scrape-config order. */
  services: Record<string, number>;
  envoyAdminPort: number;
}

/** The dev mesh's documented ports (tools/airlock up). */
export const DEV_TARGETS: ScrapeTargets = {
  services: { identity: 9101, workspace: 9102, policy: 9103, dlp: 9104, gateway: 9105, audit: 9106, usage: 9107, portal: 9108, terminal: 9109, rag: 9110 },
  envoyAdminPort: 9901,
};

/** The scrape targets of a running mesh. */
export function meshTargets(mesh: MeshInfo): ScrapeTargets {
  return { services: Object.fromEntries(SERVICES.map((s) => [s, mesh.services[s].metrics])), envoyAdminPort: mesh.envoy.adminPort };
}

export interface PrometheusConfigOptions {
  /** Default 15s; tests use 1s so rates exist within seconds. */
  scrapeInterval?: string;
  /** As written into rule_files (relative paths resolve against the config file's directory). Default rules.yaml. */
  ruleFile?: string;
}

/** prometheus.yml for `targets`. Plain text, so the checked-in template reads like any other. */
export function renderPrometheusConfig(targets: ScrapeTargets, options: PrometheusConfigOptions = {}): string {
  const interval = options.scrapeInterval ?? '15s';
  const job = (name: string, port: number, metricsPath?: string) =>
    [`  - job_name: ${name}`, ...(metricsPath ? [`    metrics_path: ${metricsPath}`] : []), `    static_configs:`, `      - targets: ['127.0.0.1:${port}']`];
  return [
    '# Scrape config for an Airlock mesh: every service on its METRICS_PORT (/metrics, OpenTelemetry Prometheus',
    "# exporter) and Envoy's admin port (/stats/prometheus). The ports are the dev mesh's (tools/airlock up);",
    '# tools/cli/src/prometheus.ts renders the same file for any mesh. Job names are what the rules select on.',
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    `  scrape_timeout: ${interval === '15s' ? '10s' : interval}`,
    'rule_files:',
    `  - ${options.ruleFile ?? 'rules.yaml'}`,
    'scrape_configs:',
    ...Object.entries(targets.services).flatMap(([service, port]) => job(service, port)),
    ...job('envoy', targets.envoyAdminPort, '/stats/prometheus'),
    '',
  ].join('\n');
}

export interface RunningPrometheus {
  url: string;
  port: number;
  configFile: string;
}

const processName = (meshName: string) => `${meshName}.prometheus`;

// /-/ready answers 503 until the TSDB and rules are loaded.
const ready = (url: string) => httpOk(`${url}/-/ready`);

/**
 * Starts Prometheus (Debian's package, installed on first use) as the managed process `<meshName>.prometheus`,
 * scraping `targets` with the rules, its data under `runDir`. Throws when the port is taken or it does not get
 * ready; a running one for the same mesh is reused.
 */
export async function startPrometheus(opts: {
  meshName: string;
  targets: ScrapeTargets;
  port: number;
  runDir: string;
  logFile: string;
  scrapeInterval?: string;
  /** Start from an empty TSDB (tests); default keeps the dev mesh's history across restarts. */
  freshData?: boolean;
}): Promise<RunningPrometheus> {
  const url = `http://127.0.0.1:${opts.port}`;
  const configFile = path.join(opts.runDir, 'prometheus.yml');
  const running = (await listManaged())[processName(opts.meshName)];
  if (running?.running && (await ready(url))) return { url, port: opts.port, configFile };
  if (running) await stopManaged(running.pid, 15_000);
  if (!(await portIsFree(opts.port))) throw new Error(`port ${opts.port} is in use (another Prometheus?)`);

  const { prometheus } = await ensurePrometheus();
  const dataDir = path.join(opts.runDir, 'prometheus-data');
  if (opts.freshData) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(configFile, renderPrometheusConfig(opts.targets, { scrapeInterval: opts.scrapeInterval, ruleFile: RULES_FILE }));
  await spawnManaged({
    name: processName(opts.meshName),
    command: prometheus,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=2d',
      `--web.listen-address=127.0.0.1:${opts.port}`,
    ],
    env: { PATH: process.env.PATH },
    logFile: opts.logFile,
  });
  await waitUntil(`Prometheus on ${url}`, () => ready(url), { timeoutMs: 30_000, logFile: opts.logFile, processName: processName(opts.meshName) });
  return { url, port: opts.port, configFile };
}

