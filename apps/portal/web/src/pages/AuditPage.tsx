import { Alert, Button, Input } from 'antd';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { exportAuditCsv } from '../api/endpoints';
import { useAuditSearch, useMe } from '../api/queries';
import { canReadAudit } from '../api/roles';
import type { AuditEvent, AuditFilter } from '../api/types';
import { errorReference, errorText } from '../errors';
import { DEFAULT_TIME_ZONE, formatDateTime } from '../format';
import { type Column, DataTable } from '../layout/DataTable';
import { DownloadButton } from '../layout/DownloadButton';
import { MessagePage } from '../layout/MessagePage';
import { useLanguage } from '../language';
import { AuditEventDialog } from './audit/AuditEventDialog';
import { ChainStatusPanel } from './audit/ChainStatusPanel';
import { RecordingsPanel } from './audit/RecordingsPanel';
import { type SearchForm, TEXT_FILTERS, defaultForm, filterOf, followCorrelation } from './audit/search-form';

/** What a caller without an audit role sees here: a page in their language, not the API's refusal. */
function NotAllowed() {
  const { t } = useTranslation();
  return (
    <MessagePage status="403" title={t('audit.notAllowedTitle')} body={t('audit.notAllowedBody')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />
  );
}

/** The audit trail for auditors and security administrators; anyone else gets the not-allowed page. */
export default function AuditPage() {
  const me = useMe();
  if (!me.data) return null;
  if (!canReadAudit(me.data.roles)) return <NotAllowed />;
  return <AuditSearch timeZone={me.data.time_zone ?? DEFAULT_TIME_ZONE} />;
}

function AuditSearch({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const [form, setForm] = useState<SearchForm>(() => defaultForm(new Date(), timeZone));
  const [invalid, setInvalid] = useState<'from' | 'to' | null>(null);
  // The last 24 hours are searched on arrival.
  const [filter, setFilter] = useState<AuditFilter | null>(() => {
    const first = filterOf(form, timeZone);
    return 'invalid' in first ? null : first;
  });
  const [openEvent, setOpenEvent] = useState<string | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const search = useAuditSearch(filter);
  const events = search.data?.pages.flatMap((page) => page.events) ?? [];

  const run = (values: SearchForm) => {
    const next = filterOf(values, timeZone);
    if ('invalid' in next) {
      setInvalid(next.invalid);
      return;
    }
    setInvalid(null);
    // The same filter submitted again asks again: the trail may have grown since.
    if (JSON.stringify(next) === JSON.stringify(filter)) void search.refetch();
    else setFilter(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run(form);
  };
  const follow = (correlationId: string) => {
    const next = followCorrelation(form, correlationId);
    setOpenEvent(null);
    setForm(next);
    run(next);
  };
  const when = (iso: string) => formatDateTime(iso, language, timeZone);
  const text = (value: string | undefined) => value || '—';
  const columns: Column<AuditEvent>[] = [
    {
      key: 'time',
      title: t('audit.time'),
      render: (e) => (
        // The time is the button's whole name (a spoken name must contain the visible text); the row says the rest.
        <Button type="link" className="table-link" onClick={() => setOpenEvent(e.event_id)} aria-haspopup="dialog">
          {when(e.timestamp)}
        </Button>
      ),
    },
    { key: 'type', title: t('audit.event_type'), render: (e) => <code>{e.event_type}</code> },
    { key: 'user', title: t('audit.user_id'), render: (e) => text(e.user_id) },
    { key: 'endpoint', title: t('audit.endpoint'), render: (e) => text(e.endpoint) },
    { key: 'outcome', title: t('audit.outcome'), render: (e) => text(e.outcome) },
    { key: 'dlp', title: t('audit.dlp_action'), render: (e) => text(e.dlp_action) },
    { key: 'policy', title: t('audit.policy_version'), render: (e) => text(e.policy_version) },
    {
      key: 'correlation',
      title: t('audit.correlation_id'),
      render: (e) => (
        <span className="audit-correlation">
          <code>{e.correlation_id}</code>
          <Button size="small" onClick={() => follow(e.correlation_id)} aria-label={t('audit.followLabel', { id: e.correlation_id })}>
            {t('audit.followShort')}
          </Button>
        </span>
      ),
    },
  ];
  const reference = errorReference(search.error);

  return (
    <>
      <div className="page-heading">
        <h1>{t('audit.title')}</h1>
        <DownloadButton fetchFile={filter ? () => exportAuditCsv(filter) : null} filename="audit-events.csv" label={t('audit.export')} testId="audit-export" onError={setExportError} />
      </div>
      <p className="page-intro">{t('audit.intro')}</p>
      {exportError ? <Alert type="error" showIcon role="alert" title={errorText(t, exportError)} data-testid="audit-export-error" /> : null}

      <form className="audit-form" onSubmit={submit} aria-label={t('audit.formLabel')}>
        {(['from', 'to'] as const).map((name) => (
          <div key={name} className="audit-field">
            <label htmlFor={`audit-${name}`}>{t(`audit.${name}`)}</label>
            <Input
              type="datetime-local"
              id={`audit-${name}`}
              name={name}
              value={form[name]}
              status={invalid === name ? 'error' : undefined}
              aria-invalid={invalid === name || undefined}
              onChange={(e) => setForm({ ...form, [name]: e.target.value })}
            />
          </div>
        ))}
        {TEXT_FILTERS.map((name) => (
          // A label by id, not wrapping: the clear icon inside the input's frame must not become part of its name.
          <div key={name} className="audit-field">
            <label htmlFor={`audit-${name}`}>{t(`audit.${name}`)}</label>
            <Input id={`audit-${name}`} name={name} value={form[name]} maxLength={256} autoComplete="off" allowClear onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
          </div>
        ))}
        <div className="audit-form-actions">
          <Button type="primary" htmlType="submit" loading={search.isFetching && !search.isFetchingNextPage}>
            {t('audit.search')}
          </Button>
          <Button
            onClick={() => {
              setForm(defaultForm(new Date(), timeZone));
              setInvalid(null);
            }}
          >
            {t('audit.reset')}
          </Button>
        </div>
        {invalid && <Alert type="error" showIcon role="alert" title={t('audit.invalidTime', { field: t(`audit.${invalid}`) })} />}
      </form>

      {search.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, search.error)} description={reference ? t('errors.reference', { id: reference }) : undefined} />
      ) : (
        <>
          <p role="status" className="audit-count">
            {filter && !search.isPending ? t('audit.shown', { count: events.length }) : ''}
          </p>
          <DataTable<AuditEvent>
            caption={t('audit.resultsLabel')}
            rowKey={(e) => e.event_id}
            loading={search.isFetching}
            rows={events}
            empty={search.isPending ? t('app.loading') : t('audit.empty')}
            columns={columns}
          />
          {search.hasNextPage && (
            <Button className="audit-more" onClick={() => void search.fetchNextPage()} loading={search.isFetchingNextPage}>
              {t('audit.more')}
            </Button>
          )}
        </>
      )}
      <ChainStatusPanel timeZone={timeZone} />
      <RecordingsPanel timeZone={timeZone} />
      <AuditEventDialog eventId={openEvent} onClose={() => setOpenEvent(null)} onFollow={follow} />
    </>
  );
}
