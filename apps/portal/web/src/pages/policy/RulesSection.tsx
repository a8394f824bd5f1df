import { Checkbox, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../layout/DataTable';
import { type ModelAliasShape, RULE_KINDS, type RuleShape } from './draft-content';
import { Field } from './Field';
import type { SectionProps } from './section';

/** Endpoints and who may call them: each rule's path, roles and kinds, the model aliases it offers and whether it is high-risk. */
export function RulesSection({ content, change, problems, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const rules = (content.rules ?? []) as unknown as RuleShape[];
  const aliases = ((content.modelAliases ?? []) as unknown as ModelAliasShape[]).map((a) => ({ value: a.alias, label: a.alias }));
  const rows = rules.map((rule, index) => ({ rule, index }));
  const at = (index: number, field: string) => `rules.${index}.${field}`;
  const columns: Column<(typeof rows)[number]>[] = [
    {
      key: 'id',
      title: t('policy.rules.id'),
      render: ({ rule, index }) => (
        <Field path={at(index, 'id')} label={t('policy.rules.id')} hideLabel problems={problems}>
          {(c) => <Input {...c} size="small" value={rule.id} readOnly={readOnly} onChange={(e) => change(at(index, 'id'), e.target.value)} />}
        </Field>
      ),
    },
    {
      key: 'path',
      title: t('policy.rules.path'),
      render: ({ rule, index }) => (
        <Field path={at(index, 'match')} label={t('policy.rules.pathOf', { id: rule.id })} hideLabel problems={problems}>
          {(c) => <Input {...c} size="small" className="policy-code-input" value={rule.match?.pathPrefix} readOnly={readOnly} onChange={(e) => change(at(index, 'match.pathPrefix'), e.target.value)} />}
        </Field>
      ),
    },
    {
      key: 'roles',
      title: t('policy.rules.roles'),
      render: ({ rule, index }) => (
        <Field path={at(index, 'allow.roles')} label={t('policy.rules.rolesOf', { id: rule.id })} hideLabel problems={problems}>
          {(c) => <Select {...c} size="small" mode="tags" className="policy-select-wide" value={rule.allow?.roles ?? []} disabled={readOnly} onChange={(v: string[]) => change(at(index, 'allow.roles'), v)} />}
        </Field>
      ),
    },
    {
      key: 'kinds',
      title: t('policy.rules.kinds'),
      render: ({ rule, index }) => (
        <Field path={at(index, 'allow.kinds')} label={t('policy.rules.kindsOf', { id: rule.id })} hideLabel problems={problems}>
          {(c) => (
            <Select {...c} size="small" mode="multiple" className="policy-select" value={rule.allow?.kinds ?? []} disabled={readOnly} options={RULE_KINDS.map((k) => ({ value: k, label: k }))} onChange={(v: string[]) => change(at(index, 'allow.kinds'), v)} />
          )}
        </Field>
      ),
    },
    {
      key: 'models',
      title: t('policy.rules.models'),
      render: ({ rule, index }) =>
        rule.models || aliases.length ? (
          <Field path={at(index, 'models')} label={t('policy.rules.modelsOf', { id: rule.id })} hideLabel problems={problems}>
            {(c) => (
              <Select
                {...c}
                size="small"
                mode="multiple"
                className="policy-select"
                value={rule.models ?? []}
                disabled={readOnly}
                options={aliases}
                // No aliases: the field leaves the rule (an empty list is invalid).
                onChange={(v: string[]) => change(at(index, 'models'), v.length ? v : undefined)}
              />
            )}
          </Field>
        ) : null,
    },
    {
      key: 'highRisk',
      title: t('policy.rules.highRisk'),
      render: ({ rule, index }) => (
        <Checkbox checked={rule.highRisk === true} disabled={readOnly} onChange={(e) => change(at(index, 'highRisk'), e.target.checked || undefined)} aria-label={t('policy.rules.highRiskOf', { id: rule.id })} />
      ),
    },
  ];
  return (
    <div className="policy-section">
      <p className="policy-muted">{t('policy.rules.intro')}</p>
      <DataTable caption={t('policy.sections.rules')} rowKey={(r) => String(r.index)} rows={rows} empty="—" columns={columns} />
    </div>
  );
}
