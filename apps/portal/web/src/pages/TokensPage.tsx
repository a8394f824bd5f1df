import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateToken, useMe, useRevokeToken, useTokens } from '../api/queries';
import type { ApiToken, CreatedToken } from '../api/types';
import { errorReference, errorText } from '../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../format';
import { DataTable } from '../layout/DataTable';
import { StatusBadge, type Tone } from '../layout/StatusBadge';
import { useLanguage } from '../language';

const LIFETIME_DAYS = [1, 7, 30, 90];
const DAY_SECONDS = 86_400;

type TokenStatus = 'active' | 'expired' | 'revoked';
const statusOf = (token: ApiToken, now: number): TokenStatus => (token.revoked_at ? 'revoked' : new Date(token.expires_at).getTime() <= now ? 'expired' : 'active');
const STATUS_TONES: Record<TokenStatus, Tone> = { active: 'good', expired: 'neutral', revoked: 'bad' };

/** The caller's personal API tokens: list, create (the value shown once, kept only in this page's memory), revoke. */
export default function TokensPage() {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const { modal, message } = App.useApp();
  const me = useMe();
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [form] = Form.useForm<{ name: string; days: number }>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken>();
  const timeZone = me.data?.time_zone ?? DEFAULT_TIME_ZONE;
  const when = (iso: string | null) => (iso ? formatDateTime(iso, language, timeZone) : t('tokens.never'));
  const now = Date.now();

  const submit = async ({ name, days }: { name: string; days: number }) => {
    const token = await create.mutateAsync({ name, ttl_seconds: days * DAY_SECONDS }).catch(() => undefined);
    if (!token) return;
    form.resetFields();
    setCreating(false);
    setCreated(token);
  };

  const forget = () => {
    // The value leaves memory with the dialog: it is not in the query cache, and the mutation's copy goes too.
    setCreated(undefined);
    create.reset();
  };

  const confirmRevoke = (token: ApiToken) =>
    modal.confirm({
      title: t('tokens.revokeTitle', { name: token.name }),
      content: t('tokens.revokeBody'),
      okText: t('tokens.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('tokens.cancel'),
      autoFocusButton: 'cancel',
      scrollLock: false,
      onOk: () =>
        revoke.mutateAsync(token.id).then(
          () => void message.success(t('tokens.revoked_done', { name: token.name })),
          (error: unknown) => void message.error(errorText(t, error), 8),
        ),
    });

  const createRefusal = create.error;
  const reference = errorReference(createRefusal);
  return (
    <>
      <div className="page-heading">
        <h1>{t('tokens.title')}</h1>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      </div>
      <p className="page-intro">{t('tokens.intro')}</p>
      {tokens.error ? (
        <Alert type="error" showIcon title={errorText(t, tokens.error)} />
      ) : (
        <DataTable<ApiToken>
          caption={t('tokens.listLabel')}
          rowKey={(token) => token.id}
          loading={tokens.isPending}
          rows={tokens.data ?? []}
          empty={tokens.isPending ? t('app.loading') : t('tokens.empty')}
          columns={[
            { key: 'name', title: t('tokens.name'), render: (token) => <strong>{token.name}</strong> },
            { key: 'prefix', title: t('tokens.prefix'), render: (token) => <code>{token.prefix}…</code> },
            { key: 'created', title: t('tokens.created'), render: (token) => when(token.created_at) },
            { key: 'expires', title: t('tokens.expires'), render: (token) => when(token.expires_at) },
            { key: 'used', title: t('tokens.lastUsed'), render: (token) => when(token.last_used_at) },
            {
              key: 'status',
              title: t('tokens.status'),
              render: (token) => <StatusBadge tone={STATUS_TONES[statusOf(token, now)]}>{t(`tokens.${statusOf(token, now)}`)}</StatusBadge>,
            },
            {
              key: 'revoke',
              title: <span className="visually-hidden">{t('tokens.revoke')}</span>,
              render: (token) =>
                statusOf(token, now) === 'active' && (
                  <Button danger size="small" onClick={() => confirmRevoke(token)} aria-label={t('tokens.revokeLabel', { name: token.name })}>
                    {t('tokens.revoke')}
                  </Button>
                ),
            },
          ]}
        />
      )}

      <Modal
        open={creating}
        title={t('tokens.create')}
        okText={t('tokens.submit')}
        cancelText={t('tokens.cancel')}
        onOk={() => form.submit()}
        onCancel={() => {
          setCreating(false);
          create.reset();
        }}
        okButtonProps={{ loading: create.isPending }}
        destroyOnHidden
        scrollLock={false}
      >
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ days: 30 }} requiredMark={false} name="create-token">
          <Form.Item
            name="name"
            label={t('tokens.name')}
            rules={[{ required: true, whitespace: true, max: 64, pattern: /^[\x20-\x7e]+$/, message: t('tokens.nameRequired') }]}
          >
            <Input placeholder={t('tokens.namePlaceholder')} maxLength={64} autoComplete="off" />
          </Form.Item>
          <Form.Item name="days" label={t('tokens.lifetime')}>
            <Select options={LIFETIME_DAYS.map((d) => ({ value: d, label: d === 1 ? t('tokens.day') : t('tokens.days', { count: d }) }))} />
          </Form.Item>
        </Form>
        {createRefusal && <Alert type="error" showIcon role="alert" title={errorText(t, createRefusal)} description={reference ? t('errors.reference', { id: reference }) : undefined} />}
      </Modal>

      <Modal
        open={created !== undefined}
        title={t('tokens.shownOnceTitle')}
        onCancel={forget}
        footer={
          <Button type="primary" onClick={forget}>
            {t('tokens.close')}
          </Button>
        }
        maskClosable={false}
        destroyOnHidden
        scrollLock={false}
      >
        <Alert type="warning" showIcon title={t('tokens.shownOnceWarning')} style={{ marginBottom: '1rem' }} />
        {created && (
          <Typography.Paragraph className="token-value" copyable={{ text: created.token, tooltips: [t('tokens.copy'), t('tokens.copied')] }}>
            <code data-testid="new-token-value">{created.token}</code>
          </Typography.Paragraph>
        )}
      </Modal>
    </>
  );
}
