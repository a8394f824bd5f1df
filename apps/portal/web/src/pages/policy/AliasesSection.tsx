import { Button, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../layout/DataTable';
import type { ModelAliasShape } from './draft-content';
import { Field } from './Field';
import type { SectionProps } from './section';

/** Model aliases: the names clients may ask for, and the backend and model each one goes to. */
export function AliasesSection({ content, change, problems, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const aliases = (content.modelAliases ?? []) as unknown as ModelAliasShape[];
  const backends = (content.backends ?? []).map((b) => ({ value: b, label: b }));
  const rows = aliases.map((alias, index) => ({ alias, index }));
  const at = (index: number, field: string) => `modelAliases.${index}.${field}`;
  const text = (field: 'alias' | 'model' | 'description', label: string): Column<(typeof rows)[number]> => ({
    key: field,
    title: label,
    render: ({ alias, index }) => (
      <Field path={at(index, field)} label={`${label} (${alias.alias || index + 1})`} hideLabel problems={problems}>
        {(c) => <Input {...c} size="small" value={alias[field] ?? ''} readOnly={readOnly} onChange={(e) => change(at(index, field), e.target.value || (field === 'description' ? undefined : ''))} />}
      </Field>
    ),
  });
  const columns: Column<(typeof rows)[number]>[] = [
    text('alias', t('policy.aliases.alias')),
    {
      key: 'backend',
      title: t('policy.aliases.backend'),
      render: ({ alias, index }) => (
        <Field path={at(index, 'backend')} label={`${t('policy.aliases.backend')} (${alias.alias || index + 1})`} hideLabel problems={problems}>
          {(c) => <Select {...c} size="small" className="policy-select" value={alias.backend} disabled={readOnly} options={backends} onChange={(v: string) => change(at(index, 'backend'), v)} />}
        </Field>
      ),
    },
    text('model', t('policy.aliases.model')),
    text('description', t('policy.aliases.description')),
    {
      key: 'remove',
      title: <span className="visually-hidden">{t('policy.remove')}</span>,
      render: ({ alias, index }) =>
        readOnly ? null : (
          <Button size="small" danger onClick={() => change('modelAliases', aliases.filter((_, j) => j !== index))} aria-label={t('policy.aliases.removeLabel', { alias: alias.alias || index + 1 })}>
            {t('policy.remove')}
          </Button>
        ),
    },
  ];
  return (
    <div className="policy-section">
      <DataTable caption={t('policy.sections.aliases')} rowKey={(r) => String(r.index)} rows={rows} empty={t('policy.aliases.empty')} columns={columns} />
      {!readOnly && (
        <Button className="policy-add" onClick={() => change('modelAliases', [...aliases, { alias: '', backend: content.backends?.[0] ?? '', model: '' }])}>
          {t('policy.aliases.add')}
        </Button>
      )}
    </div>
  );
}
