import { Alert, Button, Checkbox, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApproveDraft, usePolicyDraftDiff, usePolicyDrafts, useRejectDraft } from '../../api/policy-queries';
import { useMe } from '../../api/queries';
import type { PolicyDraft } from '../../api/types';
import { errorText } from '../../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../../format';
import { useLanguage } from '../../language';
import { DiffView } from './DiffView';
import { approvalBlock } from './four-eyes';
import { useNotifier } from './notify';

/** The four-eyes queue: every proposed draft with its changes; another security admin approves or rejects it. */
export function ApprovalsPanel({ userId, onDecided }: { userId: string; onDecided: () => void }) {
  const { t } = useTranslation();
  const proposed = usePolicyDrafts(['proposed']);
  return (
    <section aria-labelledby="policy-approvals-title">
      <h2 id="policy-approvals-title" className="policy-section-title">
        {t('policy.approvals.title')}
      </h2>
      <p className="page-intro">{t('policy.approvals.intro')}</p>
      {proposed.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, proposed.error)} />
      ) : proposed.data?.length === 0 ? (
        <p>{t('policy.approvals.empty')}</p>
      ) : (
        (proposed.data ?? []).map((draft) => <Proposal key={draft.id} draft={draft} userId={userId} onDecided={onDecided} />)
      )}
    </section>
  );
}

function Proposal({ draft, userId, onDecided }: { draft: PolicyDraft; userId: string; onDecided: () => void }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const timeZone = useMe().data?.time_zone ?? DEFAULT_TIME_ZONE;
  const diff = usePolicyDraftDiff(draft);
  const approve = useApproveDraft();
  const reject = useRejectDraft();
  const notify = useNotifier();
  const [comment, setComment] = useState('');
  const [activate, setActivate] = useState(true);
  const [missingReason, setMissingReason] = useState(false);
  const block = approvalBlock(draft, userId);
  const headingId = `proposal-${draft.id}`;
  const blockId = `${headingId}-block`;
  const commentId = `${headingId}-comment`;

  const onApprove = () =>
    void approve.mutateAsync({ draft, comment: comment.trim(), activate }).then(() => {
      notify.done(activate ? t('policy.approvals.approvedActive') : t('policy.approvals.approvedStaged'));
      onDecided();
    }, notify.failed);
  const onReject = () => {
    if (!comment.trim()) {
      setMissingReason(true);
      return;
    }
    void reject.mutateAsync({ id: draft.id, reason: comment.trim() }).then(() => notify.done(t('policy.approvals.rejected')), notify.failed);
  };
  return (
    <section className="policy-card" aria-labelledby={headingId} data-testid="proposal">
      <h3 id={headingId} className="policy-subtitle">
        {/* A rollback's reason starts with what it rolls back to (the API's wording). */}
        {draft.reason || t('policy.drafts.untitled', { base: draft.base_version })}
      </h3>
      <dl className="audit-facts">
        <dt>{t('policy.approvals.proposedBy')}</dt>
        <dd>{draft.proposed_by ?? draft.author}</dd>
        <dt>{t('policy.approvals.proposedAt')}</dt>
        <dd>{draft.proposed_at ? formatDateTime(draft.proposed_at, language, timeZone) : '—'}</dd>
        <dt>{t('policy.approvals.editors')}</dt>
        <dd>{draft.editors.join(', ') || draft.author}</dd>
        <dt>{t('policy.drafts.base')}</dt>
        <dd>#{draft.base_version}</dd>
      </dl>
      <h4 className="policy-subtitle">{t('policy.approvals.changes')}</h4>
      {diff.error ? <Alert type="error" showIcon title={errorText(t, diff.error)} /> : diff.data ? <DiffView changes={diff.data.changes} label={t('policy.approvals.changes')} /> : <p>{t('app.loading')}</p>}
      <div className="policy-dialog-field">
        <label htmlFor={commentId}>{t('policy.approvals.comment')}</label>
        <Input.TextArea
          id={commentId}
          rows={2}
          maxLength={2000}
          value={comment}
          status={missingReason ? 'error' : undefined}
          aria-invalid={missingReason || undefined}
          aria-describedby={missingReason ? `${commentId}-problem` : undefined}
          onChange={(e) => {
            setComment(e.target.value);
            setMissingReason(false);
          }}
        />
        {missingReason && (
          <ul id={`${commentId}-problem`} className="policy-field-problems">
            <li>{t('policy.approvals.reasonRequired')}</li>
          </ul>
        )}
      </div>
      <Checkbox checked={activate} onChange={(e) => setActivate(e.target.checked)} disabled={block !== null}>
        {t('policy.approvals.activateNow')}
      </Checkbox>
      <div className="policy-editor-actions">
        <Button type="primary" disabled={block !== null} aria-describedby={block ? blockId : undefined} loading={approve.isPending} onClick={onApprove} data-testid="proposal-approve">
          {t('policy.approvals.approve')}
        </Button>
        <Button danger disabled={block === 'own_proposal' || block === 'own_edit'} loading={reject.isPending} onClick={onReject} data-testid="proposal-reject">
          {t('policy.approvals.reject')}
        </Button>
      </div>
      {block && (
        <p id={blockId} className="policy-block-reason" data-testid="proposal-block">
          {t(`policy.approvals.block.${block}`)}
        </p>
      )}
    </section>
  );
}
