import { Alert, App, Form, Modal, Radio, Select, Skeleton } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateWorkspace, useWorkspaceOptions } from '../../api/queries';
import type { SizeId } from '../../api/types';
import { errorReference, errorText } from '../../errors';
import { resourceNumbers } from '../../format';

interface Values {
  project_id: string;
  size: SizeId;
  channel: 'current' | 'canary';
}

/**
 * Project and size pickers filled from /options: only the caller's projects, and every size with whether the
 * caller's quota allows it (and why not, in the quota's words). A refusal from the service is shown as its reason.
 */
export default function CreateWorkspaceModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const options = useWorkspaceOptions(open);
  const create = useCreateWorkspace();
  const [refusal, setRefusal] = useState<unknown>();
  const projects = options.data?.projects ?? [];
  const channels = [...new Set((options.data?.images ?? []).map((i) => i.channel))];
  const firstAllowed = options.data?.sizes.find((s) => s.allowed)?.id;

  useEffect(() => {
    if (!open || !options.data) return;
    form.setFieldsValue({
      project_id: projects.length === 1 ? projects[0] : form.getFieldValue('project_id'),
      size: form.getFieldValue('size') ?? firstAllowed,
      channel: form.getFieldValue('channel') ?? 'current',
    });
  }, [open, options.data, projects, firstAllowed, form]);

  const close = () => {
    setRefusal(undefined);
    create.reset();
    form.resetFields();
    onClose();
  };

  const submit = async (values: Values) => {
    setRefusal(undefined);
    try {
      const created = await create.mutateAsync({ project_id: values.project_id, size: values.size, channel: channels.length > 1 ? values.channel : undefined });
      void message.success(t('create.created', { project: created.project_id }));
      close();
    } catch (error) {
      setRefusal(error);
    }
  };

  const reference = errorReference(refusal);
  return (
    <Modal
      open={open}
      title={t('create.title')}
      okText={t('create.submit')}
      cancelText={t('create.cancel')}
      onCancel={close}
      onOk={() => form.submit()}
      okButtonProps={{ loading: create.isPending, disabled: !options.data || projects.length === 0 }}
      destroyOnHidden
      scrollLock={false}
    >
      {options.error ? (
        <Alert type="error" showIcon title={errorText(t, options.error)} />
      ) : !options.data ? (
        <Skeleton active />
      ) : projects.length === 0 ? (
        <Alert type="info" showIcon title={t('create.noProjects')} />
      ) : (
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} name="create-workspace">
          <Form.Item name="project_id" label={t('create.project')} rules={[{ required: true, message: t('create.projectRequired') }]}>
            <Select placeholder={t('create.projectPlaceholder')} options={projects.map((p) => ({ value: p, label: p }))} showSearch={projects.length > 8} />
          </Form.Item>
          <Form.Item name="size" label={t('create.size')} rules={[{ required: true, message: t('create.sizeRequired') }]}>
            <Radio.Group className="size-choice">
              {options.data.sizes.map((s) => (
                <Radio key={s.id} value={s.id} disabled={!s.allowed}>
                  <strong>{t(`size.${s.id}`)}</strong> · {t('size.resources', resourceNumbers(s))}
                  {!s.allowed && s.reason && <span className="size-reason">{t('create.notAllowed', { reason: s.reason })}</span>}
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
          {channels.length > 1 && (
            <Form.Item name="channel" label={t('create.channel')}>
              <Radio.Group
                options={[
                  { value: 'current', label: t('create.channelCurrent') },
                  { value: 'canary', label: t('create.channelCanary') },
                ]}
              />
            </Form.Item>
          )}
        </Form>
      )}
      {refusal !== undefined && (
        <Alert type="error" showIcon role="alert" title={errorText(t, refusal)} description={reference ? t('errors.reference', { id: reference }) : undefined} />
      )}
    </Modal>
  );
}
