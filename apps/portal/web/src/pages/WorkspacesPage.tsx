import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Skeleton } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveWorkspaces, useMe } from '../api/queries';
import { canReadAudit, canUseWorkspaces } from '../api/roles';
import { errorText } from '../errors';
import { lazyPage } from '../lazy-page';
import { DEFAULT_TIME_ZONE } from '../format';
import { WorkspaceCard } from './workspaces/WorkspaceCard';

// Its form, picker and radio components load with the first click on "Create workspace", not with the page.
const CreateWorkspaceModal = lazyPage(() => import('./workspaces/CreateWorkspaceModal'));
// Rare (only a role without workspaces lands here), and antd's Result with it: not in the first route.
const NoWorkspacesForRole = lazyPage(() => import('./workspaces/NoWorkspacesForRole'));

/** Home: the caller's own workspaces; a role without any (an auditor) is told so and pointed to its pages. */
export function WorkspacesPage() {
  const me = useMe();
  if (!me.data) return <Skeleton active />;
  if (canUseWorkspaces(me.data.roles)) return <MyWorkspaces />;
  return (
    <Suspense fallback={<Skeleton active />}>
      <NoWorkspacesForRole canReadAudit={canReadAudit(me.data.roles)} />
    </Suspense>
  );
}

/** The caller's own workspaces, live, and the way to create one. */
function MyWorkspaces() {
  const { t } = useTranslation();
  const me = useMe();
  const { workspaces, isPending, error, refetch } = useLiveWorkspaces();
  const [creating, setCreating] = useState(false);
  const timeZone = me.data?.time_zone ?? DEFAULT_TIME_ZONE;

  const create = (
    <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setCreating(true)}>
      {t('workspaces.create')}
    </Button>
  );

  return (
    <>
      <div className="page-heading">
        <h1>{t('workspaces.title')}</h1>
        {workspaces.length > 0 && create}
      </div>
      <p className="page-intro">{t('workspaces.intro')}</p>
      {error ? (
        <Alert
          type="error"
          showIcon
          title={t('workspaces.loadFailed', { reason: errorText(t, error) })}
          action={<Button onClick={() => void refetch()}>{t('workspaces.retry')}</Button>}
        />
      ) : isPending ? (
        <Skeleton active />
      ) : workspaces.length === 0 ? (
        <Empty
          description={
            <>
              <h2 className="empty-title">{t('workspaces.emptyTitle')}</h2>
              <p className="empty-hint">{t('workspaces.emptyHint')}</p>
            </>
          }
        >
          {create}
        </Empty>
      ) : (
        <ul className="workspace-grid" aria-label={t('workspaces.listLabel')}>
          {workspaces.map((w) => (
            <li key={w.id}>
              <WorkspaceCard workspace={w} timeZone={timeZone} />
            </li>
          ))}
        </ul>
      )}
      {creating && (
        <Suspense fallback={null}>
          <CreateWorkspaceModal open={creating} onClose={() => setCreating(false)} />
        </Suspense>
      )}
    </>
  );
}
