import { Button, Input, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { DLP_ACTIONS, DLP_CATEGORIES, DLP_SEVERITIES, type DlpRuleShape, type DlpShape, newDlpRule } from './draft-content';
import { LinesInput } from './LinesInput';
import { Field } from './Field';
import { problemsAt } from './problems';
import type { SectionProps } from './section';

const options = (values: string[]) => values.map((value) => ({ value, label: value }));

/** The DLP section: the built-in pack on or off, and the policy's own rules, each with its examples. */
export function DlpSection({ content, change, problems, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const dlp = (content.dlp as DlpShape | undefined) ?? { builtinPack: true, overrides: [], customRules: [] };
  const rules = dlp.customRules ?? [];
  const sectionProblems = problems.filter((p) => p.path === 'dlp' || /^dlp\.(overrides|allowList)/.test(p.path));
  return (
    <div className="policy-section">
      <Field path="dlp.builtinPack" label={t('policy.dlp.builtinPack')} problems={problems}>
        {(control) => <Switch {...control} checked={dlp.builtinPack} disabled={readOnly} onChange={(on) => change('dlp', { ...dlp, builtinPack: on })} />}
      </Field>
      {sectionProblems.length > 0 && (
        <ul className="policy-field-problems" data-testid="field-problem">
          {sectionProblems.map((p) => (
            <li key={p.message}>{p.message}</li>
          ))}
        </ul>
      )}
      <h3 className="policy-subtitle">{t('policy.dlp.customRules')}</h3>
      {rules.length === 0 && <p>{t('policy.dlp.noCustomRules')}</p>}
      {rules.map((rule, i) => (
        <DlpRuleCard key={i} index={i} rule={rule} change={change} problems={problems} readOnly={readOnly} onRemove={() => change('dlp.customRules', rules.filter((_, j) => j !== i))} />
      ))}
      {!readOnly && (
        <Button onClick={() => change('dlp', { ...dlp, customRules: [...rules, newDlpRule(rules)] })} data-testid="dlp-add-rule">
          {t('policy.dlp.addRule')}
        </Button>
      )}
    </div>
  );
}

function DlpRuleCard({ index, rule, change, problems, readOnly, onRemove }: { index: number; rule: DlpRuleShape; onRemove: () => void } & Omit<SectionProps, 'content'>) {
  const { t } = useTranslation();
  const at = `dlp.customRules.${index}`;
  const headingId = `dlp-rule-${index}-title`;
  const invalid = problemsAt(problems, at).length > 0;
  return (
    <section className={`policy-card${invalid ? ' policy-card-invalid' : ''}`} aria-labelledby={headingId} data-testid="dlp-rule">
      <div className="policy-card-head">
        <h4 id={headingId}>{t('policy.dlp.ruleTitle', { id: rule.id || `#${index + 1}` })}</h4>
        {!readOnly && (
          <Button size="small" danger onClick={onRemove} aria-label={t('policy.dlp.removeLabel', { id: rule.id || `#${index + 1}` })}>
            {t('policy.remove')}
          </Button>
        )}
      </div>
      <div className="policy-grid">
        <Field path={`${at}.id`} label={t('policy.dlp.id')} problems={problems}>
          {(c) => <Input {...c} value={rule.id} readOnly={readOnly} onChange={(e) => change(`${at}.id`, e.target.value)} />}
        </Field>
        <Field path={`${at}.description`} label={t('policy.dlp.description')} problems={problems}>
          {(c) => <Input {...c} value={rule.description} readOnly={readOnly} onChange={(e) => change(`${at}.description`, e.target.value)} />}
        </Field>
        <Field path={`${at}.pattern`} label={t('policy.dlp.pattern')} problems={problems}>
          {(c) => <Input {...c} className="policy-code-input" value={rule.pattern} readOnly={readOnly} spellCheck={false} onChange={(e) => change(`${at}.pattern`, e.target.value)} />}
        </Field>
        <Field path={`${at}.category`} label={t('policy.dlp.category')} problems={problems}>
          {(c) => <Select {...c} value={rule.category} disabled={readOnly} options={options(DLP_CATEGORIES)} onChange={(v) => change(`${at}.category`, v)} />}
        </Field>
        <Field path={`${at}.action`} label={t('policy.dlp.action')} problems={problems}>
          {(c) => <Select {...c} value={rule.action} disabled={readOnly} options={options(DLP_ACTIONS)} onChange={(v) => change(`${at}.action`, v)} />}
        </Field>
        <Field path={`${at}.severity`} label={t('policy.dlp.severity')} problems={problems}>
          {(c) => <Select {...c} value={rule.severity} disabled={readOnly} options={options(DLP_SEVERITIES)} onChange={(v) => change(`${at}.severity`, v)} />}
        </Field>
        <Field path={`${at}.examples.positive`} label={t('policy.dlp.positive')} problems={problems}>
          {(c) => <LinesInput control={c} value={rule.examples?.positive} readOnly={readOnly} onChange={(lines) => change(`${at}.examples.positive`, lines)} />}
        </Field>
        <Field path={`${at}.examples.negative`} label={t('policy.dlp.negative')} problems={problems}>
          {(c) => <LinesInput control={c} value={rule.examples?.negative} readOnly={readOnly} onChange={(lines) => change(`${at}.examples.negative`, lines)} />}
        </Field>
      </div>
      {/* Problems about the examples as a whole (e.g. none given) belong to no single box. */}
      {problems.some((p) => p.path === `${at}.examples` || p.path === at) && (
        <ul className="policy-field-problems" data-testid="field-problem">
          {problems.filter((p) => p.path === `${at}.examples` || p.path === at).map((p) => (
            <li key={p.message}>{p.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
