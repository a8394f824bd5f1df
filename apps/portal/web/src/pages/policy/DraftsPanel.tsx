import { Alert, Button, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateDraft, usePolicyDrafts } from '../../api/policy-queries';
import { useMe } from '../../api/queries';
import type { PolicyDraft } from '../../api/types';
import { errorText } from '../../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../../format';
import { type Column, DataTable } from '../../layout/DataTable';
import { useLanguage } from '../../language';
import { DraftEditor } from './DraftEditor';
import { useNotifier } from './notify';

/** Open drafts (anyone's: a security admin may continue another's), a new one from the latest version, and the editor. */
export function DraftsPanel({ onProposed }: { onProposed: () => void }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const timeZone = useMe().data?.time_zone ?? DEFAULT_TIME_ZONE;
  const drafts = usePolicyDrafts(['open']);
  const create = useCreateDraft();
  const notify = useNotifier();
  const [editing, setEditing] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  if (editing) {
    return (
      <DraftEditor
        id={editing}
        onClose={() => setEditing(null)}
        onProposed={() => {
          setEditing(null);
          onProposed();
        }}
      />
    );
  }
  const start = () =>
    void create.mutateAsync(reason.trim()).then((draft) => {
      setReason('');
      setEditing(draft.id);
    }, notify.failed);
  const columns: Column<PolicyDraft>[] = [
    {
      key: 'open',
      title: t('policy.drafts.draft'),
      render: (d) => (
        <Button type="link" className="table-link" onClick={() => setEditing(d.id)} data-testid="draft-open">
          {d.reason || t('policy.drafts.untitled', { base: d.base_version })}
        </Button>
      ),
    },
    { key: 'base', title: t('policy.drafts.base'), render: (d) => `#${d.base_version}` },
    { key: 'author', title: t('policy.drafts.author'), render: (d) => d.author },
    { key: 'updated', title: t('policy.drafts.updated'), render: (d) => formatDateTime(d.updated_at, language, timeZone) },
    { key: 'valid', title: t('policy.drafts.valid'), render: (d) => (d.validation.valid ? t('policy.drafts.validYes') : t('policy.drafts.validNo', { count: d.validation.problems.length })) },
  ];
  return (
    <section aria-labelledby="policy-drafts-title">
      <h2 id="policy-drafts-title" className="policy-section-title">
        {t('policy.drafts.title')}
      </h2>
      <div className="policy-new-draft">
        <div className="audit-field">
          <label htmlFor="draft-reason">{t('policy.drafts.reason')}</label>
          <Input id="draft-reason" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
        </div>
        <Button type="primary" onClick={start} loading={create.isPending} data-testid="draft-create">
          {t('policy.drafts.create')}
        </Button>
      </div>
      {drafts.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, drafts.error)} />
      ) : (
        <DataTable<PolicyDraft>
          caption={t('policy.drafts.title')}
          rowKey={(d) => d.id}
          rows={drafts.data ?? []}
          loading={drafts.isFetching}
          empty={drafts.isPending ? t('app.loading') : t('policy.drafts.empty')}
          columns={columns}
        />
      )}
    </section>
  );
}
