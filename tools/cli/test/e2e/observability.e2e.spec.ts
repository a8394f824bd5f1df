import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, freePort, stateDir, uniquePrefix } from '@airlock/testing';
import { startMesh, stopMesh, stopService, type MeshInfo } from '../../src/mesh';
import { OBSERVABILITY_DIR, meshTargets, startPrometheus, type RunningPrometheus } from '../../src/prometheus';
import { SERVICES } from '../../src/service-env';
import { edgeCaller, issueToken } from './support';

// deploy/observability against the real thing: a mesh, real Prometheus scraping it (1 s) with the rules and
// alerts, traffic through Envoy; then every rule and every dashboard query through Prometheus's HTTP API.

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Rule {
  name: string;
  query: string;
  type: 'recording' | 'alerting';
  health: string;
  lastError?: string;
  alerts?: { labels: Record<string, string>; state: string }[];
}

async function api<T>(prometheus: RunningPrometheus, route: string, params: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${prometheus.url}/api/v1/${route}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${route} ${JSON.stringify(params)}: ${body.error}`);
  return body.data;
}

const query = async (prometheus: RunningPrometheus, expr: string): Promise<Sample[]> =>
  (await api<{ result: Sample[] }>(prometheus, 'query', { query: expr })).result;

/** Grafana's variables, as Grafana would substitute them, so a panel's query runs as is. */
const grafanaExpr = (expr: string) => expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');

describe('observability: rules, alerts and dashboard against real Prometheus', () => {
  const name = uniquePrefix('obs');
  let mesh: MeshInfo;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    mesh = await startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[obs] ${l}\n`) });
    prometheus = await startPrometheus({
      meshName: name,
      targets: meshTargets(mesh),
      port: await freePort(),
      runDir: path.join(stateDir(), 'run', name),
      logFile: path.join(mesh.logsDir, 'prometheus.log'),
      scrapeInterval: '1s',
      freshData: true,
    });
    // A first scrape before the traffic: rate() only sees increases between two samples of a series.
    await eventually('every target scraped once', async () => {
      const data = await api<{ activeTargets: { health: string }[] }>(prometheus, 'targets');
      return data.activeTargets.length === SERVICES.length + 1 && data.activeTargets.every((t) => t.health === 'up') ? true : undefined;
    });
    // Traffic that moves every core signal: chat (SSE: time to first token), completions, Tabby, a prompt with
    // a secret (DLP finding), no credential (401), a denied endpoint (403). Each answer makes audit events.
    const call = edgeCaller(mesh);
    const token = await issueToken(mesh, { userId: 'sre', tenantId: `${name}-tenant`, projectId: 'payments', workspaceId: 'ws-sre' });
    const replies = [
      await call('/v1/chat', { token, body: { messages: [{ role: 'user', content: 'hello' }] } }),
      await call('/v1/chat/completions', { token, body: { model: 'airlock-chat', stream: true, messages: [{ role: 'user', content: 'hello' }] } }),
      await call('/v1/completions', { token, body: { model: 'airlock-code', prompt: 'let total =', stream: true } }),
      await call('/tabby/v1/completions', { token, body: { language: 'python', segments: { prefix: 'x' } } }),
      await call('/v1/chat', { token, body: { messages: [{ role: 'user', content: 'my key is AKIAQ3EGXTZ7V5LN2MWB' }] } }),
      await call('/v1/chat', { body: { messages: [{ role: 'user', content: 'hello' }] } }),
      await call('/api/policy/v1/bundles', { token }),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 401, 403]);
  }, 180_000);

  afterAll(async () => {
    await stopMesh(name);
  }, 60_000);

  it('scrapes every service and Envoy', async () => {
    const data = await api<{ activeTargets: { labels: { job: string }; health: string }[] }>(prometheus, 'targets');
    expect(data.activeTargets.map((t) => [t.labels.job, t.health]).sort()).toEqual([...SERVICES, 'envoy'].sort().map((job) => [job, 'up']));
  });

  it('records the core signals from the traffic: per-service rates, ext_authz decisions, time to first token, audit lag', async () => {
    const core: [string, (s: Sample[]) => boolean][] = [
      ['job:airlock_grpc_requests:rate5m', (s) => ['dlp', 'identity', 'usage'].every((job) => s.some((x) => x.metric.job === job))],
      // The method label is the gRPC path, which the workspace-create alert matches on.
      ['airlock_grpc_server_duration_seconds_count{job="dlp"}', (s) => s.some((x) => x.metric.method?.startsWith('/airlock.dlp.v1.DlpService/'))],
      ['job:airlock_http_requests:rate5m', (s) => s.some((x) => x.metric.job === 'gateway')],
      ['cluster:envoy_upstream_rq:rate5m', (s) => s.some((x) => x.metric.envoy_cluster_name === 'gateway_http')],
      ['edge:envoy_downstream_rq:rate5m', (s) => s.some((x) => x.metric.envoy_response_code_class === '2')],
      ['edge:envoy_ext_authz_ok:rate5m', (s) => s.length === 1 && Number(s[0]!.value[1]) > 0],
      ['edge:envoy_ext_authz_denied:rate5m', (s) => s.length === 1 && Number(s[0]!.value[1]) > 0],
      ['decision:airlock_policy_decisions:rate5m', (s) => ['allow', 'deny', 'unauthenticated'].every((d) => s.some((x) => x.metric.decision === d))],
      ['service:ai_gateway_ttft_seconds:p99_5m', (s) => s.some((x) => x.metric.service === 'chat')],
      ['service_outcome:ai_gateway_requests:rate5m', (s) => s.some((x) => x.metric.outcome === 'success')],
      ['category_action:airlock_dlp_findings:rate5m', (s) => s.some((x) => x.metric.category === 'secret')],
      ['airlock_audit_delivery_delay_seconds:p99_5m', (s) => s.length === 1],
      ['sink:airlock_audit_events_written:rate5m', (s) => s.some((x) => x.metric.sink === 'jsonl')],
      ['job:airlock_event_spool_messages:sum', (s) => s.some((x) => x.metric.job === 'gateway' && x.value[1] === '0')],
      ['airlock_policy_bundle_store_up', (s) => s.length === 1 && s[0]!.value[1] === '1'],
    ];
    const missing: string[] = [];
    for (const [expr, ok] of core) {
      await eventually(`${expr} has the expected series`, async () => (ok(await query(prometheus, expr)) ? true : undefined)).catch(() => missing.push(expr));
    }
    expect(missing).toEqual([]);
  });

  it('evaluates every recording rule and alert without error', async () => {
    const data = await api<{ groups: { rules: Rule[] }[] }>(prometheus, 'rules');
    const rules = data.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(40);
    await eventually('every rule evaluated at least once', async () => {
      const fresh = (await api<{ groups: { rules: (Rule & { lastEvaluation: string })[] }[] }>(prometheus, 'rules')).groups.flatMap((g) => g.rules);
      return fresh.every((r) => !r.lastEvaluation.startsWith('0001')) ? true : undefined;
    });
    const evaluated = (await api<{ groups: { rules: Rule[] }[] }>(prometheus, 'rules')).groups.flatMap((g) => g.rules);
    expect(evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    const failures: string[] = [];
    for (const rule of evaluated) await query(prometheus, rule.query).catch((e: Error) => failures.push(`${rule.name}: ${e.message}`));
    expect(failures).toEqual([]);
  });

  it('evaluates every dashboard panel query', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(OBSERVABILITY_DIR, 'grafana', 'airlock-overview.json'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, grafanaExpr(t.expr)] as const));
    expect(exprs.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const [title, expr] of exprs) await query(prometheus, expr).catch((e: Error) => failures.push(`${title}: ${e.message}`));
    expect(failures).toEqual([]);
  });

  it('has no alert pending or firing on a healthy mesh', async () => {
    const active = await eventually('no alert active', async () => {
      const alerts = (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(prometheus, 'alerts')).alerts;
      return alerts.length === 0 ? alerts : undefined;
    }).catch(async () => (await api<{ alerts: unknown[] }>(prometheus, 'alerts')).alerts);
    expect(active).toEqual([]);
  });

  it('sees a stopped service: up drops to 0 and the service-down alert becomes pending', async () => {
    await stopService(name, 'dlp');
    await eventually('up{job="dlp"} == 0', async () => ((await query(prometheus, 'up{job="dlp"} == 0')).length === 1 ? true : undefined));
    const serviceDown = (await api<{ groups: { rules: Rule[] }[] }>(prometheus, 'rules')).groups.flatMap((g) => g.rules).find((r) => r.name === 'AirlockServiceDown')!;
    expect((await query(prometheus, serviceDown.query)).map((s) => s.metric.job)).toEqual(['dlp']);
    const pending = await eventually('AirlockServiceDown pending for dlp', async () => {
      const alerts = (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(prometheus, 'alerts')).alerts;
      return alerts.find((a) => a.labels.alertname === 'AirlockServiceDown' && a.labels.job === 'dlp');
    });
    expect(pending).toMatchObject({ state: 'pending', labels: { severity: 'critical' } });
  });
});
