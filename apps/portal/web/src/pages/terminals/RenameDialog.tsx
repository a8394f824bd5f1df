import { Alert, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TerminalSession } from '../../api/terminal-endpoints';
import { useRenameTerminal } from '../../api/terminal-queries';
import { errorText } from '../../errors';

/** Renames one of the caller's sessions (the name is what its tab shows). */
export function RenameDialog({ session, onClose }: { session: TerminalSession; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string }>();
  const rename = useRenameTerminal();
  const submit = async ({ name }: { name: string }) => {
    if (await rename.mutateAsync({ id: session.id, name: name.trim() }).catch(() => undefined)) onClose();
  };
  return (
    <Modal open title={t('terminals.renameTitle')} okText={t('terminals.save')} cancelText={t('terminals.cancel')} onOk={() => form.submit()} onCancel={onClose} confirmLoading={rename.isPending}>
      <Form form={form} layout="vertical" initialValues={{ name: session.name }} onFinish={(values) => void submit(values)}>
        <Form.Item name="name" label={t('terminals.name')} rules={[{ required: true, whitespace: true, max: 64, message: t('terminals.nameRule') }]}>
          <Input autoFocus />
        </Form.Item>
      </Form>
      {rename.error ? <Alert type="error" showIcon role="alert" title={errorText(t, rename.error)} /> : null}
    </Modal>
  );
}
