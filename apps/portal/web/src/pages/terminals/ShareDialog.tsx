import { Alert, Button, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShareMode, TerminalSession } from '../../api/terminal-endpoints';
import { useShareTerminal, useUnshareTerminal } from '../../api/terminal-queries';
import { errorText } from '../../errors';
import { type Column, DataTable } from '../../layout/DataTable';

/**
 * The owner's invitations for one session: invite a user of the same tenant (read-only; read-write where the
 * service allows it, which it says by refusing otherwise), see who is invited, withdraw an invitation.
 */
export function ShareDialog({ session, onClose }: { session: TerminalSession; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ userId: string; mode: ShareMode }>();
  const share = useShareTerminal();
  const unshare = useUnshareTerminal();
  const [shares, setShares] = useState(session.shares);
  const error = share.error ?? unshare.error;

  const invite = async ({ userId, mode }: { userId: string; mode: ShareMode }) => {
    const updated = await share.mutateAsync({ id: session.id, userId: userId.trim(), mode }).catch(() => undefined);
    if (!updated) return;
    setShares(updated.shares);
    form.resetFields();
  };
  const withdraw = async (userId: string) => {
    const done = await unshare.mutateAsync({ id: session.id, userId }).then(
      () => true,
      () => false,
    );
    if (done) setShares((current) => current.filter((s) => s.user_id !== userId));
  };
  const columns: Column<TerminalSession['shares'][number]>[] = [
    { key: 'user', title: t('terminals.share.user'), render: (s) => s.user_id },
    { key: 'mode', title: t('terminals.share.mode'), render: (s) => t(`terminals.share.modes.${s.mode}`) },
    {
      key: 'actions',
      title: t('terminals.actions'),
      render: (s) => (
        <Button size="small" danger onClick={() => void withdraw(s.user_id)} aria-label={t('terminals.share.revokeFor', { user: s.user_id })}>
          {t('terminals.share.revoke')}
        </Button>
      ),
    },
  ];

  return (
    <Modal open title={t('terminals.share.title', { name: session.name })} onCancel={onClose} footer={<Button onClick={onClose}>{t('terminals.close')}</Button>}>
      <Form form={form} layout="inline" initialValues={{ mode: 'read-only' }} onFinish={(values) => void invite(values)} data-testid="share-form">
        <Form.Item name="userId" label={t('terminals.share.user')} rules={[{ required: true, whitespace: true, message: t('terminals.share.userRequired') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="mode" label={t('terminals.share.mode')}>
          <Select
            style={{ minWidth: '10rem' }}
            options={(['read-only', 'read-write'] as const).map((mode) => ({ value: mode, label: t(`terminals.share.modes.${mode}`) }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={share.isPending}>
          {t('terminals.share.invite')}
        </Button>
      </Form>
      {error ? <Alert type="error" showIcon role="alert" title={errorText(t, error)} style={{ marginTop: '1rem' }} /> : null}
      <div style={{ marginTop: '1rem' }}>
        <DataTable caption={t('terminals.share.listCaption')} columns={columns} rows={shares} rowKey={(s) => s.user_id} empty={t('terminals.share.none')} />
      </div>
    </Modal>
  );
}
