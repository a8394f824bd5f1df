import { Alert, Button, Input, Skeleton, Statistic } from 'antd';
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { exportUsageSeriesCsv } from '../api/finops-endpoints';
import { useBudgetStandings, useUsageAnomalies, useUsageSeries } from '../api/finops-queries';
import { useMe } from '../api/queries';
import { canReadUsageReports, readsWholeTenant } from '../api/roles';
import type { FinOpsFilter, UsageAnomaly, UsageSeriesRow } from '../api/types';
import { errorText } from '../errors';
import { DEFAULT_TIME_ZONE, formatDateTime, formatDay, formatNumber } from '../format';
import { loadFinOpsStrings } from '../i18n/finops';
import { type Column, DataTable } from '../layout/DataTable';
import { DownloadButton } from '../layout/DownloadButton';
import { MessagePage } from '../layout/MessagePage';
import { useLanguage } from '../language';
import { BudgetBars } from './finops/BudgetBars';
import { METRICS, type Metric, chartData } from './finops/chart-data';
import { GROUPS, INTERVALS, defaultFilter, rangeProblem } from './finops/filter';
import { UsageChart } from './finops/UsageChart';
import './finops/finops.css';

loadFinOpsStrings();

function NotAllowed() {
  const { t } = useTranslation();
  return <MessagePage status="403" title={t('finops.notAllowedTitle')} body={t('finops.notAllowedBody')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />;
}

/** The FinOps console for FinOps, project leads, security administrators and auditors; anyone else gets the not-allowed page. */
export default function FinOpsPage() {
  const me = useMe();
  if (!me.data) return null;
  if (!canReadUsageReports(me.data.roles)) return <NotAllowed />;
  // A project lead reads only their own project (the API enforces it): the filter starts, and stays, there.
  const ownProject = readsWholeTenant(me.data.roles) ? undefined : (me.data.projects[0] ?? '');
  return <FinOpsConsole timeZone={me.data.time_zone ?? DEFAULT_TIME_ZONE} ownProject={ownProject} />;
}

type Form = ReturnType<typeof defaultFilter>;

// Native selects rather than Ant Design's: a fixed handful of choices, which the browser's own control offers
// to the keyboard, screen readers and touch without a custom listbox.
function FinOpsConsole({ timeZone, ownProject }: { timeZone: string; ownProject?: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const [form, setForm] = useState<Form>(() => defaultFilter(new Date(), ownProject));
  const [filter, setFilter] = useState<FinOpsFilter>(() => ({ ...form }));
  const [problem, setProblem] = useState<ReturnType<typeof rangeProblem>>(null);
  const [metric, setMetric] = useState<Metric>('total_tokens');
  const [exportError, setExportError] = useState<unknown>(null);
  const series = useUsageSeries(filter);
  const budgets = useBudgetStandings(filter.project_id || undefined);
  const anomalies = useUsageAnomalies(filter);

  const n = useCallback((value: number) => formatNumber(value, language), [language]);
  const periodLabel = useCallback((period: string) => (period.length === 7 ? period : formatDay(period, language)), [language]);
  const groupName = useCallback((key: string | null) => (key === null ? t('finops.other') : key || t('finops.none')), [t]);
  const data = series.data;
  const costConfigured = data?.cost_configured ?? false;
  const metrics = METRICS.filter((m) => m !== 'cost_units' || costConfigured);
  const shownMetric = metrics.includes(metric) ? metric : 'total_tokens';
  const chart = useMemo(() => (data ? chartData(data.rows, shownMetric) : undefined), [data, shownMetric]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const wrong = rangeProblem(form.from, form.to);
    setProblem(wrong);
    if (wrong) return;
    const next = { ...form, project_id: form.project_id.trim() };
    if (JSON.stringify(next) === JSON.stringify(filter)) void series.refetch();
    else setFilter(next);
  };

  const groupTitle = t(`finops.groups.${filter.group_by ?? 'project'}`);
  const cost = (value: number | null) => (value === null ? '—' : n(value));
  const columns: Column<UsageSeriesRow>[] = [
    { key: 'period', title: t('finops.period'), render: (r) => periodLabel(r.period) },
    { key: 'key', title: groupTitle, render: (r) => groupName(r.key) },
    { key: 'requests', title: t('finops.metrics.requests'), align: 'right', render: (r) => n(r.requests) },
    { key: 'prompt', title: t('finops.prompt'), align: 'right', render: (r) => n(r.prompt_tokens) },
    { key: 'completion', title: t('finops.completion'), align: 'right', render: (r) => n(r.completion_tokens) },
    { key: 'total', title: t('finops.metrics.total_tokens'), align: 'right', render: (r) => n(r.total_tokens) },
    ...(costConfigured ? [{ key: 'cost', title: t('finops.metrics.cost_units'), align: 'right' as const, render: (r: UsageSeriesRow) => cost(r.cost_units) }] : []),
  ];
  const anomalyColumns: Column<UsageAnomaly>[] = [
    { key: 'hour', title: t('finops.anomalies.hour'), render: (a) => formatDateTime(a.hour, language, timeZone) },
    { key: 'project', title: t('finops.groups.project'), render: (a) => a.project_id },
    { key: 'tokens', title: t('finops.anomalies.tokens'), align: 'right', render: (a) => n(a.current_tokens) },
    { key: 'baseline', title: t('finops.anomalies.baseline'), align: 'right', render: (a) => n(Math.round(a.baseline_tokens)) },
    { key: 'ratio', title: t('finops.anomalies.ratio'), align: 'right', render: (a) => `×${n(a.ratio)}` },
  ];

  return (
    <>
      <div className="page-heading">
        <h1>{t('finops.title')}</h1>
        <DownloadButton
          fetchFile={() => exportUsageSeriesCsv(filter)}
          filename={`usage-${filter.group_by}-${filter.from}-${filter.to}.csv`}
          label={t('finops.export')}
          testId="finops-export"
          onError={setExportError}
        />
      </div>
      <p className="page-intro">{t('finops.intro')}</p>
      {exportError ? <Alert type="error" showIcon role="alert" title={errorText(t, exportError)} data-testid="finops-export-error" /> : null}

      <form className="finops-form" onSubmit={submit} aria-label={t('finops.formLabel')}>
        {(['from', 'to'] as const).map((name) => (
          <div key={name} className="finops-field">
            <label htmlFor={`finops-${name}`}>{t(`finops.${name}`)}</label>
            <Input type="date" id={`finops-${name}`} value={form[name]} status={problem ? 'error' : undefined} aria-invalid={problem ? true : undefined} onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
          </div>
        ))}
        <div className="finops-field">
          <label htmlFor="finops-project">{t('finops.project')}</label>
          <Input
            id="finops-project"
            value={form.project_id}
            placeholder={t('finops.allProjects')}
            disabled={ownProject !== undefined}
            maxLength={128}
            autoComplete="off"
            onChange={(e) => setForm({ ...form, project_id: e.target.value })}
          />
        </div>
        <div className="finops-field">
          <label htmlFor="finops-group">{t('finops.groupBy')}</label>
          <select id="finops-group" className="finops-select" value={form.group_by} onChange={(e) => setForm({ ...form, group_by: e.target.value as Form['group_by'] })}>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`finops.groups.${g}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="finops-field">
          <label htmlFor="finops-interval">{t('finops.interval')}</label>
          <select id="finops-interval" className="finops-select" value={form.interval} onChange={(e) => setForm({ ...form, interval: e.target.value as Form['interval'] })}>
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {t(`finops.intervals.${i}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="finops-form-actions">
          <Button type="primary" htmlType="submit" loading={series.isFetching}>
            {t('finops.apply')}
          </Button>
        </div>
        {problem && <Alert type="error" showIcon role="alert" title={t(`finops.range.${problem}`)} />}
      </form>

      {series.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, series.error)} />
      ) : !data || !chart ? (
        <Skeleton active />
      ) : (
        <section aria-labelledby="finops-usage-heading">
          <div className="finops-section-heading">
            <h2 id="finops-usage-heading">{t('finops.usageTitle', { group: groupTitle })}</h2>
            <div className="finops-metric" role="radiogroup" aria-label={t('finops.metric')}>
              {metrics.map((m) => (
                <Button key={m} size="small" type={m === shownMetric ? 'primary' : 'default'} role="radio" aria-checked={m === shownMetric} onClick={() => setMetric(m)}>
                  {t(`finops.metrics.${m}`)}
                </Button>
              ))}
            </div>
          </div>
          <div className="usage-stats" data-testid="finops-totals">
            <Statistic title={t('finops.metrics.total_tokens')} value={n(data.totals.total_tokens)} />
            <Statistic title={t('finops.metrics.requests')} value={n(data.totals.requests)} />
            {costConfigured && <Statistic title={t('finops.metrics.cost_units')} value={cost(data.totals.cost_units)} />}
          </div>
          {chart.periods.length === 0 ? (
            <p>{t('finops.empty')}</p>
          ) : (
            <UsageChart
              data={chart}
              label={t('finops.chartLabel', { metric: t(`finops.metrics.${shownMetric}`), group: groupTitle, from: formatDay(data.from, language), to: formatDay(data.to, language) })}
              seriesName={groupName}
              periodLabel={periodLabel}
              formatValue={n}
            />
          )}
          <h3>{t('finops.tableTitle')}</h3>
          <DataTable<UsageSeriesRow> caption={t('finops.tableTitle')} rowKey={(r) => `${r.period}/${r.key}`} rows={data.rows} empty={t('finops.empty')} columns={columns} />
        </section>
      )}

      <section aria-labelledby="finops-budgets-heading">
        <h2 id="finops-budgets-heading">{t('finops.budgets.title')}</h2>
        {budgets.error ? (
          <Alert type="error" showIcon title={errorText(t, budgets.error)} />
        ) : !budgets.data ? (
          <Skeleton active />
        ) : !budgets.data.configured ? (
          <p>{t('finops.budgets.notConfigured')}</p>
        ) : budgets.data.budgets.length === 0 ? (
          <p>{t('finops.budgets.none')}</p>
        ) : (
          <BudgetBars budgets={budgets.data.budgets} timeZone={timeZone} />
        )}
      </section>

      <section aria-labelledby="finops-anomalies-heading">
        <h2 id="finops-anomalies-heading">{t('finops.anomalies.title')}</h2>
        <p className="page-intro">{t('finops.anomalies.intro')}</p>
        {anomalies.error ? (
          <Alert type="error" showIcon title={errorText(t, anomalies.error)} />
        ) : (
          <DataTable<UsageAnomaly>
            caption={t('finops.anomalies.title')}
            rowKey={(a) => `${a.project_id}/${a.hour}`}
            rows={anomalies.data?.anomalies ?? []}
            loading={anomalies.isFetching}
            empty={anomalies.data ? t('finops.anomalies.none') : t('app.loading')}
            columns={anomalyColumns}
          />
        )}
      </section>
    </>
  );
}
