import { ExportOutlined, LoadingOutlined } from '@ant-design/icons';
import { App, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useWorkspaceAction } from '../../api/queries';
import type { Workspace, WorkspaceAction } from '../../api/types';
import { allowedActions, canOpen, isMoving } from '../../api/workspace-state';
import { errorReference, errorText } from '../../errors';
import { formatDateTime, resourceNumbers } from '../../format';
import { useLanguage } from '../../language';
import { StatusBadge } from '../../layout/StatusBadge';
import { ACTIONS, STATE_TONES } from './workspace-display';

/** One workspace: what it is, where it is going, and what can be done with it (each action confirmed first). */
export function WorkspaceCard({ workspace: w, timeZone }: { workspace: Workspace; timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const { modal, message } = App.useApp();
  const act = useWorkspaceAction();
  const allowed = allowedActions(w);
  const moving = isMoving(w);
  const headingId = `ws-${w.id}-title`;

  const confirm = (action: WorkspaceAction) =>
    modal.confirm({
      title: t(`actions.confirm.${action}.title`, { project: w.project_id }),
      content: t(`actions.confirm.${action}.body`),
      okText: t(`actions.${action}`),
      cancelText: t('actions.cancel'),
      okButtonProps: { danger: action === 'delete' || action === 'stop' },
      // The safe answer has the focus: Enter on an unexpected dialog does nothing harmful.
      autoFocusButton: 'cancel',
      scrollLock: false,
      onOk: () =>
        act.mutateAsync({ id: w.id, action }).then(
          () => void message.success(t(`actions.done.${action}`, { project: w.project_id })),
          (error: unknown) => {
            const reference = errorReference(error);
            void message.error(`${errorText(t, error)}${reference ? ` (${t('errors.reference', { id: reference })})` : ''}`, 8);
          },
        ),
    });

  const size = w.size ? t(`size.${w.size}`) : t('size.custom');
  return (
    // A plain article, not antd's Card: Card brings tabs, dropdowns and menus into the first route's JavaScript.
    <article className="workspace-card" aria-labelledby={headingId} data-workspace-id={w.id} data-state={w.state}>
      <h2 id={headingId}>{w.project_id}</h2>
      <dl className="workspace-facts">
        <dt>{t('workspaces.state')}</dt>
        <dd aria-live="polite">
          <StatusBadge tone={STATE_TONES[w.state]} icon={moving ? <LoadingOutlined aria-hidden /> : undefined} testId="workspace-state">
            {t(`state.${w.state}`)}
          </StatusBadge>
          {moving && w.desired_state !== w.state && <span>{t('workspaces.goingTo', { state: t(`state.${w.desired_state}`) })}</span>}
          {w.unisolated && (
            <StatusBadge tone="warning" testId="workspace-unisolated">
              {t('workspaces.unisolated')}
            </StatusBadge>
          )}
        </dd>
        {w.unisolated && (
          <>
            <dt>{t('workspaces.isolation')}</dt>
            <dd>{t('workspaces.unisolatedHint')}</dd>
          </>
        )}
        {w.detail && w.state === 'failed' && (
          <>
            <dt>{t('workspaces.detail')}</dt>
            <dd>{w.detail}</dd>
          </>
        )}
        <dt>{t('workspaces.image')}</dt>
        <dd>{w.image}</dd>
        <dt>{t('workspaces.size')}</dt>
        <dd>
          {size} · {t('size.resources', resourceNumbers(w.resources))}
        </dd>
        <dt>{t('workspaces.created')}</dt>
        <dd>{formatDateTime(w.created_at, language, timeZone)}</dd>
      </dl>
      <div className="workspace-actions">
        {canOpen(w) && (
          <Button type="primary" href={w.url} target="_blank" rel="noopener noreferrer" icon={<ExportOutlined aria-hidden />} aria-label={t('workspaces.openLabel', { project: w.project_id })}>
            {t('workspaces.open')}
          </Button>
        )}
        {ACTIONS.filter((a) => allowed.has(a)).map((action) => (
          <Button
            key={action}
            danger={action === 'delete'}
            onClick={() => confirm(action)}
            aria-label={t('actions.forWorkspace', { action: t(`actions.${action}`), project: w.project_id })}
          >
            {t(`actions.${action}`)}
          </Button>
        ))}
      </div>
    </article>
  );
}
