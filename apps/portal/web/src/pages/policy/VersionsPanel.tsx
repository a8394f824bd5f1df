import { Alert, App, Button, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useActivateVersion, usePolicyDiff, usePolicyVersions, useRollback } from '../../api/policy-queries';
import { useMe } from '../../api/queries';
import type { PolicyVersion } from '../../api/types';
import { errorText } from '../../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../../format';
import { type Column, DataTable } from '../../layout/DataTable';
import { StatusBadge } from '../../layout/StatusBadge';
import { useLanguage } from '../../language';
import { DiffView } from './DiffView';
import { useNotifier } from './notify';

/** Published versions, newest first: which is active, who proposed and approved each and when; activation and rollback. */
export function VersionsPanel() {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const timeZone = useMe().data?.time_zone ?? DEFAULT_TIME_ZONE;
  const versions = usePolicyVersions();
  const list = versions.data ?? [];
  const active = list.find((v) => v.active);
  const { modal } = App.useApp();
  const notify = useNotifier();
  const activate = useActivateVersion();
  const rollback = useRollback();

  const confirmActivate = (v: PolicyVersion) =>
    modal.confirm({
      title: t('policy.versions.activateTitle', { version: v.version }),
      content: t('policy.versions.activateBody', { active: active?.version ?? '—' }),
      okText: t('policy.versions.activate'),
      cancelText: t('actions.cancel'),
      autoFocusButton: 'cancel',
      scrollLock: false,
      onOk: () => activate.mutateAsync(v.number).then(() => notify.done(t('policy.versions.activated', { version: v.version })), notify.failed),
    });

  const confirmRollback = (v: PolicyVersion) => {
    let reason = '';
    modal.confirm({
      title: t('policy.versions.rollbackTitle', { version: v.version }),
      content: (
        <div className="policy-dialog-field">
          <p>{t('policy.versions.rollbackBody')}</p>
          <label htmlFor="rollback-reason">{t('policy.versions.rollbackReason')}</label>
          <Input.TextArea id="rollback-reason" rows={3} maxLength={2000} onChange={(e) => (reason = e.target.value)} />
        </div>
      ),
      okText: t('policy.versions.rollback'),
      cancelText: t('actions.cancel'),
      okButtonProps: { danger: true },
      autoFocusButton: 'cancel',
      scrollLock: false,
      onOk: () => {
        if (!reason.trim()) {
          notify.failed(new Error(t('policy.versions.rollbackReasonRequired')));
          return Promise.reject(new Error('reason required'));
        }
        return rollback.mutateAsync({ number: v.number, reason: reason.trim() }).then(() => notify.done(t('policy.versions.rollbackProposed', { version: v.version })), notify.failed);
      },
    });
  };

  const who = (user: string | null) => user || '—';
  const columns: Column<PolicyVersion>[] = [
    {
      key: 'version',
      title: t('policy.versions.version'),
      render: (v) => (
        <span className="policy-version-name">
          <code>{v.version}</code> <span className="policy-muted">#{v.number}</span>
        </span>
      ),
    },
    {
      key: 'state',
      title: t('policy.versions.state'),
      render: (v) =>
        v.active ? (
          <StatusBadge tone="good" testId="policy-active">
            {t('policy.versions.active')}
          </StatusBadge>
        ) : active && v.number > active.number ? (
          <StatusBadge tone="progress">{t('policy.versions.staged')}</StatusBadge>
        ) : (
          <StatusBadge tone="neutral">{t('policy.versions.inactive')}</StatusBadge>
        ),
    },
    { key: 'origin', title: t('policy.versions.origin'), render: (v) => t(`policy.origin.${v.origin}`) },
    { key: 'author', title: t('policy.versions.author'), render: (v) => who(v.author) },
    { key: 'approver', title: t('policy.versions.approver'), render: (v) => who(v.approver) },
    { key: 'when', title: t('policy.versions.when'), render: (v) => formatDateTime(v.created_at, language, timeZone) },
    { key: 'reason', title: t('policy.versions.reason'), render: (v) => v.reason || '—' },
    {
      key: 'actions',
      title: t('policy.versions.actions'),
      render: (v) =>
        active && v.number > active.number ? (
          <Button size="small" onClick={() => confirmActivate(v)} aria-label={t('policy.versions.activateLabel', { version: v.version })}>
            {t('policy.versions.activate')}
          </Button>
        ) : active && v.number < active.number ? (
          <Button size="small" danger onClick={() => confirmRollback(v)} aria-label={t('policy.versions.rollbackLabel', { version: v.version })}>
            {t('policy.versions.rollback')}
          </Button>
        ) : null,
    },
  ];

  return (
    <section aria-labelledby="policy-versions-title">
      <h2 id="policy-versions-title" className="policy-section-title">
        {t('policy.versions.title')}
      </h2>
      {versions.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, versions.error)} />
      ) : (
        <DataTable<PolicyVersion>
          caption={t('policy.versions.title')}
          rowKey={(v) => String(v.number)}
          rows={list}
          loading={versions.isFetching}
          empty={versions.isPending ? t('app.loading') : t('policy.versions.empty')}
          columns={columns}
        />
      )}
      {list.length > 1 && <VersionDiff versions={list} />}
    </section>
  );
}

/** The changes between any two versions, chosen by number (default: the active one against the one before it). */
function VersionDiff({ versions }: { versions: PolicyVersion[] }) {
  const { t } = useTranslation();
  // Until a version is picked, the newest against the one before it (following new versions as they come).
  const [picked, setPicked] = useState<{ from?: number; to?: number }>({});
  const from = picked.from ?? versions[1].number;
  const to = picked.to ?? versions[0].number;
  const diff = usePolicyDiff(from === to ? null : { from, to });
  const options = versions.map((v) => ({ value: v.number, label: `#${v.number} ${v.version}` }));
  return (
    <section aria-labelledby="policy-diff-title" className="policy-diff-section">
      <h2 id="policy-diff-title" className="policy-section-title">
        {t('policy.diff.title')}
      </h2>
      <div className="policy-diff-pick">
        <div className="audit-field">
          <label htmlFor="policy-diff-from">{t('policy.diff.from')}</label>
          <Select id="policy-diff-from" value={from} onChange={(v) => setPicked({ ...picked, from: v })} options={options} className="policy-select" />
        </div>
        <div className="audit-field">
          <label htmlFor="policy-diff-to">{t('policy.diff.to')}</label>
          <Select id="policy-diff-to" value={to} onChange={(v) => setPicked({ ...picked, to: v })} options={options} className="policy-select" />
        </div>
      </div>
      {from === to ? (
        <p>{t('policy.diff.same')}</p>
      ) : diff.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, diff.error)} />
      ) : diff.data ? (
        <DiffView changes={diff.data.changes} label={t('policy.diff.label', { from: `#${from}`, to: `#${to}` })} />
      ) : (
        <p role="status">{t('app.loading')}</p>
      )}
    </section>
  );
}
