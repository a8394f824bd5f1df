import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useChainStatus } from '../../api/queries';
import type { ChainStatus } from '../../api/types';
import { errorText } from '../../errors';
import { formatDateTime } from '../../format';
import { type Column, DataTable } from '../../layout/DataTable';
import { StatusBadge, type Tone } from '../../layout/StatusBadge';
import { useLanguage } from '../../language';

type Chain = ChainStatus['chains'][number];
type State = ChainStatus['verification']['state'];

const TONES: Record<State, Tone> = { ok: 'good', problem: 'bad', never: 'progress', unavailable: 'neutral', too_large: 'warning', failed: 'bad' };

/**
 * Whether the trail is intact: one row per partition's hash chain — its head, what the newest signed digest
 * covers, how far the service's verifier walked it and what it found there.
 */
export function ChainStatusPanel({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const status = useChainStatus();
  const when = (iso: string | null) => (iso ? formatDateTime(iso, language, timeZone) : '—');
  const seq = (n: number | null) => (n === null ? '—' : String(n));
  const columns: Column<Chain>[] = [
    { key: 'chain', title: t('audit.chains.chain'), render: (c) => <code>{c.id}</code> },
    { key: 'head', title: t('audit.chains.head'), render: (c) => String(c.seq) },
    { key: 'signed', title: t('audit.chains.signed'), render: (c) => seq(c.signed_seq) },
    { key: 'verified', title: t('audit.chains.verified'), render: (c) => seq(c.verified_seq) },
    {
      key: 'result',
      title: t('audit.chains.result'),
      render: (c) =>
        c.problem ? (
          <StatusBadge tone="bad">{t('audit.chains.problem', { kind: t(`audit.chains.kinds.${c.problem.kind}`), line: c.problem.line })}</StatusBadge>
        ) : c.verified_seq === null ? (
          '—'
        ) : (
          <StatusBadge tone="good">{t('audit.chains.intact')}</StatusBadge>
        ),
    },
  ];
  const data = status.data;
  return (
    <section className="audit-chains" aria-labelledby="audit-chains-title">
      <div className="page-heading">
        <h2 id="audit-chains-title">{t('audit.chains.title')}</h2>
        <Button onClick={() => void status.refetch()} loading={status.isFetching}>
          {t('audit.chains.refresh')}
        </Button>
      </div>
      {status.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, status.error)} />
      ) : data ? (
        <>
          <p role="status" data-testid="audit-chains-summary">
            <StatusBadge tone={TONES[data.verification.state]} testId="audit-chains-state">
              {t(`audit.chains.states.${data.verification.state}`)}
            </StatusBadge>{' '}
            {data.verification.checked_at && t('audit.chains.checkedAt', { when: when(data.verification.checked_at), count: data.verification.records ?? 0 })}{' '}
            {data.verification.running && t('audit.chains.running')}
          </p>
          <p className="page-intro">
            {data.digests.enabled ? t('audit.chains.digestAt', { when: when(data.digests.latest_at) }) : t('audit.chains.noDigests')}
          </p>
          <DataTable<Chain> caption={t('audit.chains.caption')} rowKey={(c) => c.id} rows={data.chains} empty={t('audit.chains.empty')} columns={columns} />
        </>
      ) : (
        <p>{t('app.loading')}</p>
      )}
    </section>
  );
}
