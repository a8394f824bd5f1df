import { LoadingOutlined } from '@ant-design/icons';
import { Alert, App, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { useFleet, useFleetAction } from '../api/ops-queries';
import { useMe } from '../api/queries';
import { canOperate } from '../api/roles';
import type { Workspace, WorkspaceAction } from '../api/types';
import { allowedActions, isMoving } from '../api/workspace-state';
import { errorReference, errorText } from '../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../format';
import { loadOpsStrings } from '../i18n/ops';
import { useLanguage } from '../language';
import { type Column, DataTable } from '../layout/DataTable';
import { MessagePage } from '../layout/MessagePage';
import { StatusBadge } from '../layout/StatusBadge';
import { formatAge } from './fleet/age';
import './fleet/ops.css';
import { ACTIONS, STATE_TONES } from './workspaces/workspace-display';

loadOpsStrings();

/** Every workspace of the tenant, for its operators (SREs, security administrators); others get a page saying so. */
export default function FleetPage() {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.data) return null;
  if (!canOperate(me.data.roles)) {
    return <MessagePage status="403" title={t('fleet.notAllowedTitle')} body={t('fleet.notAllowedBody')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />;
  }
  return <Fleet timeZone={me.data.time_zone ?? DEFAULT_TIME_ZONE} />;
}

function Fleet({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const { modal, message } = App.useApp();
  const fleet = useFleet();
  const act = useFleetAction();
  const now = fleet.dataUpdatedAt || Date.now();

  const confirm = (w: Workspace, action: WorkspaceAction) => {
    const names = { owner: w.owner_user_id, project: w.project_id };
    modal.confirm({
      title: t(`fleet.confirm.${action}.title`, names),
      content: t(`fleet.confirm.${action}.body`),
      okText: t(`actions.${action}`),
      cancelText: t('actions.cancel'),
      okButtonProps: { danger: action === 'delete' || action === 'stop' },
      // The safe answer has the focus: Enter on an unexpected dialog does nothing harmful.
      autoFocusButton: 'cancel',
      scrollLock: false,
      onOk: () =>
        act.mutateAsync({ id: w.id, action }).then(
          () => void message.success(t(`fleet.done.${action}`, names)),
          (error: unknown) => {
            const reference = errorReference(error);
            void message.error(`${errorText(t, error)}${reference ? ` (${t('errors.reference', { id: reference })})` : ''}`, 8);
          },
        ),
    });
  };

  const columns: Column<Workspace>[] = [
    { key: 'owner', title: t('fleet.owner'), render: (w) => w.owner_user_id },
    { key: 'project', title: t('fleet.project'), render: (w) => w.project_id },
    {
      key: 'state',
      title: t('fleet.state'),
      render: (w) => (
        <span className="fleet-state">
          <StatusBadge tone={STATE_TONES[w.state]} icon={isMoving(w) ? <LoadingOutlined aria-hidden /> : undefined} testId="fleet-state">
            {t(`state.${w.state}`)}
          </StatusBadge>
          {isMoving(w) && w.desired_state !== w.state && <span>{t('fleet.goingTo', { state: t(`state.${w.desired_state}`) })}</span>}
        </span>
      ),
    },
    { key: 'image', title: t('fleet.image'), render: (w) => <code>{w.image}</code> },
    { key: 'age', title: t('fleet.age'), render: (w) => <time dateTime={w.created_at} title={formatDateTime(w.created_at, language, timeZone)}>{formatAge(w.created_at, now, language)}</time> },
    {
      key: 'actions',
      title: t('fleet.actions'),
      render: (w) => {
        const allowed = allowedActions(w);
        return (
          <span className="fleet-actions">
            {ACTIONS.filter((a) => allowed.has(a)).map((action) => (
              <Button
                key={action}
                size="small"
                danger={action === 'delete'}
                onClick={() => confirm(w, action)}
                aria-label={t('fleet.forWorkspace', { action: t(`actions.${action}`), owner: w.owner_user_id, project: w.project_id })}
              >
                {t(`actions.${action}`)}
              </Button>
            ))}
          </span>
        );
      },
    },
  ];

  return (
    <section className="ops-page" aria-labelledby="fleet-title" data-testid="fleet-page">
      <div className="page-heading">
        <h1 id="fleet-title">{t('fleet.title')}</h1>
      </div>
      <p className="page-intro">{t('fleet.intro')}</p>
      {fleet.isError && <Alert type="error" showIcon title={`${t('fleet.loadFailed')} ${errorText(t, fleet.error)}`} />}
      <DataTable caption={t('fleet.caption')} columns={columns} rows={fleet.data ?? []} rowKey={(w) => w.id} empty={t('fleet.empty')} loading={fleet.isLoading} />
    </section>
  );
}
