import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePrometheus } from '@airlock/testing';
import { SERVICES } from './service-env';
import { DEV_CONFIG_FILE, DEV_TARGETS, OBSERVABILITY_DIR, RULES_FILE, renderPrometheusConfig } from './prometheus';

jest.setTimeout(15 * 60_000);

const promtool = async (args: string[]) => {
  const { promtool: bin } = await ensurePrometheus();
  return promisify(execFile)(bin, args, { timeout: 120_000 });
};

/** The anchors GitHub gives the README's headings ("### AirlockServiceDown" -> #airlockservicedown). */
function readmeAnchors(): Set<string> {
  const readme = readFileSync(path.join(OBSERVABILITY_DIR, 'README.md'), 'utf8');
  return new Set(
    [...readme.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('deploy/observability/prometheus', () => {
  it('prometheus.yml is the rendered scrape config of the dev ports, every service and Envoy', () => {
    expect(Object.keys(DEV_TARGETS.services)).toEqual([...SERVICES]);
    expect(readFileSync(DEV_CONFIG_FILE, 'utf8')).toBe(renderPrometheusConfig(DEV_TARGETS));
  });

  it('promtool accepts the config and the rules, and the rules pass their unit tests', async () => {
    await expect(promtool(['check', 'config', DEV_CONFIG_FILE])).resolves.toMatchObject({ stdout: expect.stringContaining('SUCCESS') });
    await expect(promtool(['check', 'rules', RULES_FILE])).resolves.toMatchObject({ stdout: expect.stringContaining('SUCCESS') });
    const testsDir = path.join(path.dirname(RULES_FILE), 'tests');
    const tests = readdirSync(testsDir).filter((f) => f.endsWith('.test.yaml'));
    expect(tests.length).toBeGreaterThanOrEqual(3);
    const { stdout } = await promtool(['test', 'rules', ...tests.map((f) => path.join(testsDir, f))]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(tests.length);
  });

  it('gives every alert a severity, a summary, a description and a runbook section that exists', () => {
    const rules = readFileSync(RULES_FILE, 'utf8');
    const anchors = readmeAnchors();
    const alerts = rules.split(/^\s+- alert: /m).slice(1);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const block of alerts) {
      const name = block.split('\n')[0]!.trim();
      expect([name, /severity: (critical|warning)/.test(block)]).toEqual([name, true]);
      expect([name, /^\s+summary: /m.test(block) && /^\s+description: /m.test(block)]).toEqual([name, true]);
      expect([name, /runbook: deploy\/observability\/README\.md#(\S+)/.exec(block)?.[1]]).toEqual([name, name.toLowerCase()]);
      expect([name, anchors.has(name.toLowerCase())]).toEqual([name, true]);
    }
  });

  it('the dashboard takes its datasource as the DS_PROMETHEUS input and has the six rows', () => {
    const dashboard = JSON.parse(readFileSync(path.join(OBSERVABILITY_DIR, 'grafana', 'airlock-overview.json'), 'utf8')) as {
      __inputs: { name: string; pluginId: string }[];
      panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource: { uid: string } }[] }[];
    };
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Edge', 'Policy', 'Gateway / AI', 'DLP', 'Audit & usage', 'Workspaces']);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect([panel.title, panel.datasource?.uid, ...(panel.targets ?? []).map((t) => t.datasource.uid)]).toEqual([
        panel.title,
        '${DS_PROMETHEUS}',
        ...(panel.targets ?? []).map(() => '${DS_PROMETHEUS}'),
      ]);
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });
});
