import { Button, Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../layout/DataTable';
import { BUDGET_PERIODS, BUDGET_SCOPES, LIMIT_KEYS, type RateLimitShape, SESSION_EXCEED, type SessionLimitShape, type TokenBudgetShape, numberOrUndefined } from './draft-content';
import { Field, type ControlProps } from './Field';
import type { SectionProps } from './section';

const options = (values: string[]) => values.map((value) => ({ value, label: value }));

/** A field in a table row: labelled for assistive technology by its column and its row's id. */
function cell(props: SectionProps, path: string, label: string, render: (c: ControlProps) => React.ReactNode) {
  return (
    <Field path={path} label={label} hideLabel problems={props.problems}>
      {render}
    </Field>
  );
}

/** Rate limits and token budgets: which requests each counts, keyed by whom, and how many. */
export function LimitsSection(props: SectionProps) {
  const { t } = useTranslation();
  const { content, change, readOnly } = props;
  const limits = (content.limits ?? {}) as { rateLimits?: RateLimitShape[]; tokenBudgets?: TokenBudgetShape[] };
  const rates = (limits.rateLimits ?? []).map((limit, index) => ({ limit, index }));
  const budgets = (limits.tokenBudgets ?? []).map((budget, index) => ({ budget, index }));
  const r = (i: number, f: string) => `limits.rateLimits.${i}.${f}`;
  const b = (i: number, f: string) => `limits.tokenBudgets.${i}.${f}`;
  const num = (path: string, value: number | undefined) => (c: ControlProps) => <InputNumber {...c} size="small" min={0} value={value} readOnly={readOnly} onChange={(v) => change(path, numberOrUndefined(v))} />;
  const prefix = (path: string, value: string | undefined) => (c: ControlProps) => (
    <Input {...c} size="small" className="policy-code-input" value={value ?? ''} readOnly={readOnly} onChange={(e) => change(path, e.target.value ? { pathPrefix: e.target.value } : undefined)} />
  );

  const rateColumns: Column<(typeof rates)[number]>[] = [
    { key: 'id', title: t('policy.limits.id'), render: ({ limit, index }) => cell(props, r(index, 'id'), t('policy.limits.id'), (c) => <Input {...c} size="small" value={limit.id} readOnly={readOnly} onChange={(e) => change(r(index, 'id'), e.target.value)} />) },
    { key: 'path', title: t('policy.limits.path'), render: ({ limit, index }) => cell(props, r(index, 'match'), `${t('policy.limits.path')} (${limit.id})`, prefix(r(index, 'match'), limit.match?.pathPrefix)) },
    {
      key: 'key',
      title: t('policy.limits.key'),
      render: ({ limit, index }) =>
        cell(props, r(index, 'key'), `${t('policy.limits.key')} (${limit.id})`, (c) => (
          <Select {...c} size="small" mode="multiple" className="policy-select" value={limit.key} disabled={readOnly} options={options(LIMIT_KEYS)} onChange={(v: string[]) => change(r(index, 'key'), v)} />
        )),
    },
    { key: 'requests', title: t('policy.limits.requests'), render: ({ limit, index }) => cell(props, r(index, 'rate.requests'), `${t('policy.limits.requests')} (${limit.id})`, num(r(index, 'rate.requests'), limit.rate?.requests)) },
    { key: 'per', title: t('policy.limits.perSeconds'), render: ({ limit, index }) => cell(props, r(index, 'rate.perSeconds'), `${t('policy.limits.perSeconds')} (${limit.id})`, num(r(index, 'rate.perSeconds'), limit.rate?.perSeconds)) },
    { key: 'burst', title: t('policy.limits.burst'), render: ({ limit, index }) => cell(props, r(index, 'burst'), `${t('policy.limits.burst')} (${limit.id})`, num(r(index, 'burst'), limit.burst)) },
  ];
  const budgetColumns: Column<(typeof budgets)[number]>[] = [
    { key: 'id', title: t('policy.limits.id'), render: ({ budget, index }) => cell(props, b(index, 'id'), t('policy.limits.id'), (c) => <Input {...c} size="small" value={budget.id} readOnly={readOnly} onChange={(e) => change(b(index, 'id'), e.target.value)} />) },
    { key: 'path', title: t('policy.limits.path'), render: ({ budget, index }) => cell(props, b(index, 'match'), `${t('policy.limits.path')} (${budget.id})`, prefix(b(index, 'match'), budget.match?.pathPrefix)) },
    {
      key: 'scope',
      title: t('policy.limits.scope'),
      render: ({ budget, index }) =>
        cell(props, b(index, 'scope'), `${t('policy.limits.scope')} (${budget.id})`, (c) => <Select {...c} size="small" className="policy-select" value={budget.scope} disabled={readOnly} options={options(BUDGET_SCOPES)} onChange={(v: string) => change(b(index, 'scope'), v)} />),
    },
    {
      key: 'period',
      title: t('policy.limits.period'),
      render: ({ budget, index }) =>
        cell(props, b(index, 'period'), `${t('policy.limits.period')} (${budget.id})`, (c) => <Select {...c} size="small" className="policy-select" value={budget.period} disabled={readOnly} options={options(BUDGET_PERIODS)} onChange={(v: string) => change(b(index, 'period'), v)} />),
    },
    { key: 'tokens', title: t('policy.limits.limitTokens'), render: ({ budget, index }) => cell(props, b(index, 'limitTokens'), `${t('policy.limits.limitTokens')} (${budget.id})`, num(b(index, 'limitTokens'), budget.limitTokens)) },
  ];
  return (
    <div className="policy-section">
      <h3 className="policy-subtitle">{t('policy.limits.rateLimits')}</h3>
      <DataTable caption={t('policy.limits.rateLimits')} rowKey={(x) => String(x.index)} rows={rates} empty={t('policy.limits.none')} columns={rateColumns} />
      {!readOnly && (
        <Button className="policy-add" onClick={() => change(`limits.rateLimits.${rates.length}`, { id: `rl.new-${rates.length + 1}`, key: ['user'], rate: { requests: 60, perSeconds: 60 }, burst: 10 })}>
          {t('policy.limits.addRate')}
        </Button>
      )}
      <h3 className="policy-subtitle">{t('policy.limits.tokenBudgets')}</h3>
      <DataTable caption={t('policy.limits.tokenBudgets')} rowKey={(x) => String(x.index)} rows={budgets} empty={t('policy.limits.none')} columns={budgetColumns} />
      {!readOnly && (
        <Button className="policy-add" onClick={() => change(`limits.tokenBudgets.${budgets.length}`, { id: `tb.new-${budgets.length + 1}`, scope: 'user', period: 'day', limitTokens: 100000 })}>
          {t('policy.limits.addBudget')}
        </Button>
      )}
    </div>
  );
}

/** Concurrent browser sessions: the default for every tenant (tenants of their own are in the JSON). */
export function SessionsSection({ content, change, problems, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const limit = ((content.sessions as { default?: SessionLimitShape } | undefined)?.default ?? {}) as SessionLimitShape;
  const at = (f: string) => `sessions.default.${f}`;
  return (
    <div className="policy-section policy-grid">
      <Field path={at('maxPerUser')} label={t('policy.sessions.maxPerUser')} problems={problems}>
        {(c) => <InputNumber {...c} min={1} value={limit.maxPerUser} readOnly={readOnly} onChange={(v) => change(at('maxPerUser'), numberOrUndefined(v))} />}
      </Field>
      <Field path={at('maxPerTenant')} label={t('policy.sessions.maxPerTenant')} problems={problems}>
        {(c) => <InputNumber {...c} min={1} value={limit.maxPerTenant} readOnly={readOnly} onChange={(v) => change(at('maxPerTenant'), numberOrUndefined(v))} />}
      </Field>
      <Field path={at('onExceed')} label={t('policy.sessions.onExceed')} problems={problems}>
        {(c) => <Select {...c} allowClear value={limit.onExceed} disabled={readOnly} options={options(SESSION_EXCEED)} onChange={(v?: string) => change(at('onExceed'), v)} />}
      </Field>
      <p className="policy-muted">{t('policy.sessions.tenantsNote')}</p>
    </div>
  );
}
