import { Progress } from 'antd';
import { useTranslation } from 'react-i18next';
import type { BudgetStanding } from '../../api/types';
import { formatDateTime, formatNumber } from '../../format';
import { useLanguage } from '../../language';

/** Each budget as a bar of what is used, with the numbers in words (the bar alone says nothing to a screen reader). */
export function BudgetBars({ budgets, timeZone }: { budgets: BudgetStanding[]; timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const n = (value: number) => formatNumber(value, language);
  return (
    <ul className="finops-budgets" data-testid="finops-budgets">
      {budgets.map((b) => {
        const percent = b.limit_tokens > 0 ? Math.min(100, Math.round((b.used_tokens / b.limit_tokens) * 100)) : 100;
        const whose = b.scope === 'tenant' ? t('finops.budgets.tenant', { id: b.scope_id }) : t('finops.budgets.project', { id: b.scope_id });
        const name = t(`finops.budgets.period.${b.period}`, { whose });
        return (
          <li key={`${b.id}/${b.scope_id}`}>
            <div className="finops-budget-head">
              <strong>{name}</strong> <code>{b.id}</code>
            </div>
            <Progress percent={percent} status={percent >= 100 ? 'exception' : 'normal'} aria-label={t('finops.budgets.barLabel', { name, percent })} />
            <div className="finops-budget-numbers">
              {t('finops.budgets.numbers', { used: n(b.used_tokens), limit: n(b.limit_tokens), remaining: n(b.remaining_tokens) })}{' '}
              {t('finops.budgets.resets', { when: formatDateTime(b.resets_at, language, timeZone) })}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
