import { Alert, Card, Progress, Segmented, Skeleton, Statistic } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMyUsage } from '../api/queries';
import type { UsageDay } from '../api/types';
import { errorText } from '../errors';
import { formatDay, formatNumber } from '../format';
import { type Column, DataTable } from '../layout/DataTable';
import { useLanguage } from '../language';

const PERIODS = [7, 30] as const;

interface ModelTotal {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
}

function totalsByModel(days: UsageDay[]): ModelTotal[] {
  const byModel = new Map<string, ModelTotal>();
  for (const d of days) {
    const total = byModel.get(d.model) ?? { model: d.model, prompt_tokens: 0, completion_tokens: 0 };
    total.prompt_tokens += d.prompt_tokens;
    total.completion_tokens += d.completion_tokens;
    byModel.set(d.model, total);
  }
  return [...byModel.values()].sort((a, b) => b.prompt_tokens + b.completion_tokens - (a.prompt_tokens + a.completion_tokens));
}

/**
 * The caller's AI usage: today's budget, and tokens per model and per day. Tables rather than a chart: they
 * read well with a screen reader and at any zoom, and a chart library would add weight for what a table
 * already shows.
 */
export default function UsagePage() {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>(30);
  const usage = useMyUsage(period);
  const n = (value: number) => formatNumber(value, language);
  const days = [...(usage.data?.days ?? [])].sort((a, b) => b.date.localeCompare(a.date) || a.model.localeCompare(b.model));
  const largest = Math.max(1, ...days.map((d) => d.prompt_tokens + d.completion_tokens));
  const budget = usage.data?.budget;
  const percent = budget?.limit_tokens ? Math.min(100, Math.round((budget.used_tokens / budget.limit_tokens) * 100)) : 0;
  const tokenColumns: Column<ModelTotal>[] = [
    { key: 'prompt', title: t('usage.prompt'), align: 'right', render: (r) => n(r.prompt_tokens) },
    { key: 'completion', title: t('usage.completion'), align: 'right', render: (r) => n(r.completion_tokens) },
  ];

  return (
    <>
      <div className="page-heading">
        <h1>{t('usage.title')}</h1>
        <Segmented<(typeof PERIODS)[number]>
          aria-label={t('usage.period')}
          value={period}
          onChange={setPeriod}
          options={PERIODS.map((d) => ({ value: d, label: t('usage.lastDays', { count: d }) }))}
        />
      </div>
      <p className="page-intro">{t('usage.intro', { days: period })}</p>
      {usage.error ? (
        <Alert type="error" showIcon title={errorText(t, usage.error)} />
      ) : !usage.data || !budget ? (
        <Skeleton active />
      ) : (
        <>
          <Card title={<h2 className="card-heading">{t('usage.budgetTitle')}</h2>} style={{ marginBottom: '1.5rem' }}>
            <div className="usage-stats">
              <Statistic title={t('usage.used')} value={n(budget.used_tokens)} />
              {budget.limit_tokens !== null && <Statistic title={t('usage.limit')} value={n(budget.limit_tokens)} />}
              {budget.remaining_tokens !== null && <Statistic title={t('usage.remaining')} value={n(budget.remaining_tokens)} />}
            </div>
            {budget.limit_tokens !== null ? (
              <Progress percent={percent} status={percent >= 100 ? 'exception' : 'normal'} aria-label={t('usage.budgetLabel', { percent })} />
            ) : (
              <p>{t('usage.noLimit')}</p>
            )}
          </Card>

          <h2>{t('usage.byModel')}</h2>
          <DataTable<ModelTotal>
            caption={t('usage.byModel')}
            rowKey={(r) => r.model}
            rows={totalsByModel(days)}
            empty={t('usage.empty')}
            columns={[
              { key: 'model', title: t('usage.model'), render: (r) => r.model },
              ...tokenColumns,
              { key: 'total', title: t('usage.total'), align: 'right', render: (r) => n(r.prompt_tokens + r.completion_tokens) },
            ]}
          />

          <h2>{t('usage.byDay')}</h2>
          <DataTable<UsageDay>
            caption={t('usage.byDay')}
            rowKey={(d) => `${d.date}/${d.model}`}
            rows={days}
            empty={t('usage.empty')}
            columns={[
              { key: 'date', title: t('usage.date'), render: (d) => formatDay(d.date, language) },
              { key: 'model', title: t('usage.model'), render: (d) => d.model },
              ...tokenColumns,
              {
                key: 'total',
                title: t('usage.total'),
                align: 'right',
                render: (d) => {
                  const total = d.prompt_tokens + d.completion_tokens;
                  return (
                    <>
                      <span className="usage-bar" style={{ width: `${Math.round((total / largest) * 6)}rem` }} aria-hidden />{' '}
                      {n(total)}
                    </>
                  );
                },
              },
            ]}
          />
        </>
      )}
    </>
  );
}
