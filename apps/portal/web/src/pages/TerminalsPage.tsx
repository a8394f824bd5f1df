import { Alert, Button, Form, Input, Popconfirm, Select, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { useLiveWorkspaces, useMe } from '../api/queries';
import { canUseWorkspaces } from '../api/roles';
import type { TerminalSession } from '../api/terminal-endpoints';
import { useCloseTerminal, useCreateTerminal, useTerminalSessions } from '../api/terminal-queries';
import { errorText } from '../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../format';
import { loadTerminalsStrings } from '../i18n/terminals';
import { useLanguage } from '../language';
import { type Column, DataTable } from '../layout/DataTable';
import { MessagePage } from '../layout/MessagePage';
import { StatusBadge } from '../layout/StatusBadge';
import { RenameDialog } from './terminals/RenameDialog';
import { ShareDialog } from './terminals/ShareDialog';
import { TerminalView } from './terminals/TerminalView';
import './terminals/terminals.css';

loadTerminalsStrings();

/** Persistent terminals in the caller's workspaces, for the people who have workspaces; others get a page saying so. */
export default function TerminalsPage() {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.data) return null;
  if (!canUseWorkspaces(me.data.roles)) {
    return <MessagePage status="403" title={t('terminals.notAllowedTitle')} body={t('terminals.notAllowedBody')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />;
  }
  return <Terminals timeZone={me.data.time_zone ?? DEFAULT_TIME_ZONE} />;
}

function Terminals({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const sessions = useTerminalSessions();
  const close = useCloseTerminal();
  const [openIds, setOpenIds] = useState<string[]>([]);
  const [activeId, setActiveId] = useState<string | undefined>();
  const [renaming, setRenaming] = useState<TerminalSession | null>(null);
  const [sharing, setSharing] = useState<TerminalSession | null>(null);
  const all = sessions.data ?? [];
  const mine = all.filter((s) => s.access === 'owner');
  const sharedWithMe = all.filter((s) => s.access !== 'owner');
  // A tab stays while its session is listed; one that ended elsewhere leaves with it.
  const tabs = openIds.map((id) => all.find((s) => s.id === id)).filter((s): s is TerminalSession => s !== undefined);

  const open = (id: string) => {
    setOpenIds((ids) => (ids.includes(id) ? ids : [...ids, id]));
    setActiveId(id);
  };
  const detach = (id: string) => {
    const rest = openIds.filter((other) => other !== id);
    setOpenIds(rest);
    if (activeId === id) setActiveId(rest.at(-1));
  };
  const when = (iso: string) => formatDateTime(iso, language, timeZone);
  const stateOf = (s: TerminalSession) => (
    <StatusBadge tone={s.locked ? 'warning' : s.state === 'attached' ? 'good' : 'neutral'}>{t(s.locked ? 'terminals.states.locked' : `terminals.states.${s.state}`)}</StatusBadge>
  );
  const openButton = (s: TerminalSession) => (
    <Button size="small" type="primary" onClick={() => open(s.id)} aria-label={t('terminals.openNamed', { name: s.name })}>
      {t('terminals.open')}
    </Button>
  );
  const ownColumns: Column<TerminalSession>[] = [
    { key: 'name', title: t('terminals.name'), render: (s) => s.name },
    { key: 'state', title: t('terminals.state'), render: stateOf },
    { key: 'created', title: t('terminals.created'), render: (s) => when(s.created_at) },
    {
      key: 'actions',
      title: t('terminals.actions'),
      render: (s) => (
        <span className="terminal-actions">
          {openButton(s)}
          <Button size="small" onClick={() => setRenaming(s)} aria-label={t('terminals.renameNamed', { name: s.name })}>
            {t('terminals.rename')}
          </Button>
          <Button size="small" onClick={() => setSharing(s)} aria-label={t('terminals.shareNamed', { name: s.name })}>
            {t('terminals.share.button')}
          </Button>
          <Popconfirm title={t('terminals.closeConfirm')} okText={t('terminals.terminate')} cancelText={t('terminals.cancel')} onConfirm={() => close.mutate(s.id, { onSuccess: () => detach(s.id) })}>
            <Button size="small" danger aria-label={t('terminals.terminateNamed', { name: s.name })}>
              {t('terminals.terminate')}
            </Button>
          </Popconfirm>
        </span>
      ),
    },
  ];
  const sharedColumns: Column<TerminalSession>[] = [
    { key: 'name', title: t('terminals.name'), render: (s) => s.name },
    { key: 'owner', title: t('terminals.owner'), render: (s) => s.owner_user_id },
    { key: 'access', title: t('terminals.access'), render: (s) => t(`terminals.share.modes.${s.access}`) },
    { key: 'state', title: t('terminals.state'), render: stateOf },
    { key: 'actions', title: t('terminals.actions'), render: openButton },
  ];

  return (
    <section aria-labelledby="terminals-title" className="terminals-page">
      <h1 id="terminals-title">{t('terminals.title')}</h1>
      <p>{t('terminals.intro')}</p>
      <CreateTerminal onCreated={(s) => open(s.id)} />
      {sessions.error ? <Alert type="error" showIcon role="alert" title={errorText(t, sessions.error)} /> : null}
      {close.error ? <Alert type="error" showIcon role="alert" title={errorText(t, close.error)} /> : null}
      <h2>{t('terminals.mine')}</h2>
      <DataTable caption={t('terminals.mine')} columns={ownColumns} rows={mine} rowKey={(s) => s.id} empty={t('terminals.noneMine')} loading={sessions.isLoading} />
      <h2>{t('terminals.sharedWithMe')}</h2>
      <DataTable caption={t('terminals.sharedWithMe')} columns={sharedColumns} rows={sharedWithMe} rowKey={(s) => s.id} empty={t('terminals.noneShared')} loading={sessions.isLoading} />
      {tabs.length > 0 && (
        <Tabs
          className="terminal-tabs"
          type="card"
          activeKey={activeId}
          onChange={setActiveId}
          // Closing a tab (a button in its panel: a button inside a tab is not allowed there) only detaches.
          items={tabs.map((s) => ({ key: s.id, label: s.name, children: <TerminalView session={s} active={s.id === activeId} onDetach={() => detach(s.id)} /> }))}
        />
      )}
      {renaming && <RenameDialog session={renaming} onClose={() => setRenaming(null)} />}
      {sharing && <ShareDialog session={sharing} onClose={() => setSharing(null)} />}
    </section>
  );
}

/** Starts a shell in one of the caller's running workspaces. */
function CreateTerminal({ onCreated }: { onCreated: (session: TerminalSession) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ workspaceId: string; name?: string }>();
  const { workspaces } = useLiveWorkspaces();
  const create = useCreateTerminal();
  const running = workspaces.filter((w) => w.state === 'running');
  const submit = async ({ workspaceId, name }: { workspaceId: string; name?: string }) => {
    const session = await create.mutateAsync({ workspace_id: workspaceId, ...(name?.trim() ? { name: name.trim() } : {}) }).catch(() => undefined);
    if (!session) return;
    form.resetFields(['name']);
    onCreated(session);
  };
  return (
    <>
      <Form form={form} layout="inline" className="terminal-create" onFinish={(values) => void submit(values)} initialValues={{ workspaceId: running[0]?.id }} data-testid="terminal-create">
        <Form.Item name="workspaceId" label={t('terminals.workspace')} rules={[{ required: true, message: t('terminals.workspaceRequired') }]}>
          <Select style={{ minWidth: '14rem' }} options={running.map((w) => ({ value: w.id, label: `${w.project_id} · ${w.id}` }))} notFoundContent={t('terminals.noRunningWorkspace')} />
        </Form.Item>
        <Form.Item name="name" label={t('terminals.name')} rules={[{ max: 64, message: t('terminals.nameRule') }]}>
          <Input autoComplete="off" placeholder={t('terminals.namePlaceholder')} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('terminals.create')}
        </Button>
      </Form>
      {create.error ? <Alert type="error" showIcon role="alert" title={errorText(t, create.error)} /> : null}
    </>
  );
}
