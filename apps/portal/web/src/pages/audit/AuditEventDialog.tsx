import { Alert, Button, Modal, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuditEvent } from '../../api/queries';
import { errorText } from '../../errors';
import { StatusBadge } from '../../layout/StatusBadge';

/** A field's value as text: lists and objects as JSON, an absent value as a dash. */
const shown = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/**
 * One event with every field the sinks got, its link in its partition's hash chain and whether the chain
 * verifies it; "follow this correlation id" closes the dialog and searches that request.
 */
export function AuditEventDialog({ eventId, onClose, onFollow }: { eventId: string | null; onClose: () => void; onFollow: (correlationId: string) => void }) {
  const { t } = useTranslation();
  const detail = useAuditEvent(eventId);
  const event = detail.data?.event;
  const chain = detail.data?.chain;
  return (
    <Modal
      open={eventId !== null}
      title={t('audit.detailTitle')}
      onCancel={onClose}
      width="min(56rem, 95vw)"
      destroyOnHidden
      scrollLock={false}
      footer={
        <div className="dialog-actions">
          {event && (
            <Button onClick={() => onFollow(event.correlation_id)} data-testid="follow-correlation-detail">
              {t('audit.follow')}
            </Button>
          )}
          <Button type="primary" onClick={onClose}>
            {t('audit.close')}
          </Button>
        </div>
      }
    >
      {detail.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, detail.error)} />
      ) : !event || !chain ? (
        <Skeleton active />
      ) : (
        <>
          <h3 className="dialog-section">{t('audit.chainTitle')}</h3>
          <dl className="audit-facts" data-testid="audit-chain">
            <dt>{t('audit.verified')}</dt>
            <dd>
              <StatusBadge tone={chain.verified ? 'good' : 'bad'} testId="audit-verified">
                {chain.verified ? t('audit.verifiedYes') : t('audit.verifiedNo')}
              </StatusBadge>
            </dd>
            <dt>{t('audit.chainId')}</dt>
            <dd>
              <code>{chain.id}</code>
            </dd>
            <dt>{t('audit.chainSeq')}</dt>
            <dd>{chain.seq}</dd>
            <dt>{t('audit.prevHash')}</dt>
            <dd>
              <code>{chain.prev_hash}</code>
            </dd>
            <dt>{t('audit.hash')}</dt>
            <dd>
              <code>{chain.hash}</code>
            </dd>
          </dl>
          <h3 className="dialog-section">{t('audit.fieldsTitle')}</h3>
          <dl className="audit-facts" data-testid="audit-fields">
            {Object.entries(event)
              .filter(([name]) => name !== 'chain')
              .flatMap(([name, value]) => [
                // Field names are the record's own (the SIEM's and the CSV's), not translated.
                <dt key={`${name}-name`}>
                  <code>{name}</code>
                </dt>,
                <dd key={`${name}-value`}>{shown(value)}</dd>,
              ])}
          </dl>
        </>
      )}
    </Modal>
  );
}
