import { useTranslation } from 'react-i18next';
import type { PolicyChange } from '../../api/types';
import { StatusBadge, type Tone } from '../../layout/StatusBadge';

const TONE: Record<PolicyChange['op'], Tone> = { added: 'good', removed: 'bad', changed: 'warning' };

/** A value as the bundle file has it (JSON), or nothing when the change has no such side. */
const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value, null, 2));

/**
 * The API's changes between two bundles, one per entry: what happened (added, removed, changed), where (the
 * API's path, rules named by id: `rules[ep.chat.allow].allow.roles`) and the value before and after.
 */
export function DiffView({ changes, label }: { changes: PolicyChange[]; label: string }) {
  const { t } = useTranslation();
  if (changes.length === 0) return <p data-testid="policy-diff-empty">{t('policy.diff.none')}</p>;
  return (
    <ol className="policy-diff" aria-label={label} data-testid="policy-diff">
      {changes.map((change) => {
        const [before, after] = [json(change.before), json(change.after)];
        return (
          <li key={`${change.op}:${change.path}`} className={`policy-change policy-change-${change.op}`}>
            <div className="policy-change-head">
              <StatusBadge tone={TONE[change.op]}>{t(`policy.diff.${change.op}`)}</StatusBadge>
              <code>{change.path}</code>
            </div>
            <div className="policy-change-values">
              {before !== undefined && (
                <div>
                  <span className="policy-change-side">{t('policy.diff.before')}</span>
                  <pre>{before}</pre>
                </div>
              )}
              {after !== undefined && (
                <div>
                  <span className="policy-change-side">{t('policy.diff.after')}</span>
                  <pre>{after}</pre>
                </div>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
