import { useQuery } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { listTerminalRecordings, type TerminalRecording } from '../../api/recording-endpoints';
import { errorText } from '../../errors';
import { formatDateTime } from '../../format';
import { loadRecordingsStrings } from '../../i18n/recordings';
import { type Column, DataTable } from '../../layout/DataTable';
import { useLanguage } from '../../language';
import { RecordingPlayer } from './RecordingPlayer';
import './recordings.css';

loadRecordingsStrings();

/**
 * Terminal sessions recorded where the policy bundle asks for it (the terminal service's `terminals` rules): who,
 * which session, since when, whether keystrokes are in it and when it will be deleted. Playing one is audited.
 */
export function RecordingsPanel({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const recordings = useQuery({ queryKey: ['terminal-recordings'], queryFn: listTerminalRecordings });
  const [playing, setPlaying] = useState<TerminalRecording | null>(null);
  const when = (iso: string | null) => (iso ? formatDateTime(iso, language, timeZone) : '—');
  const columns: Column<TerminalRecording>[] = [
    { key: 'started', title: t('recordings.started'), render: (r) => when(r.started_at) },
    { key: 'owner', title: t('recordings.owner'), render: (r) => r.owner_user_id },
    { key: 'session', title: t('recordings.session'), render: (r) => r.session_name },
    { key: 'workspace', title: t('recordings.workspace'), render: (r) => <code>{r.workspace_id}</code> },
    { key: 'input', title: t('recordings.input'), render: (r) => (r.input_recorded ? t('recordings.withInput') : t('recordings.outputOnly')) },
    { key: 'ended', title: t('recordings.ended'), render: (r) => (r.ended_at ? when(r.ended_at) : t('recordings.live')) },
    { key: 'deleteAfter', title: t('recordings.deleteAfter'), render: (r) => when(r.delete_after) },
    {
      key: 'play',
      title: t('recordings.actions'),
      render: (r) => (
        <Button size="small" onClick={() => setPlaying(r)} aria-haspopup="dialog" aria-label={t('recordings.playNamed', { name: r.session_name, owner: r.owner_user_id })}>
          {t('recordings.play')}
        </Button>
      ),
    },
  ];
  return (
    <section className="audit-recordings" aria-labelledby="audit-recordings-title">
      <div className="page-heading">
        <h2 id="audit-recordings-title">{t('recordings.title')}</h2>
        <Button onClick={() => void recordings.refetch()} loading={recordings.isFetching}>
          {t('recordings.refresh')}
        </Button>
      </div>
      <p className="page-intro">{t('recordings.intro')}</p>
      {recordings.error ? (
        <Alert type="error" showIcon role="alert" title={errorText(t, recordings.error)} />
      ) : (
        <DataTable<TerminalRecording>
          caption={t('recordings.title')}
          rowKey={(r) => r.session_id}
          loading={recordings.isFetching}
          rows={recordings.data ?? []}
          empty={recordings.isPending ? t('app.loading') : t('recordings.empty')}
          columns={columns}
        />
      )}
      <RecordingPlayer recording={playing} onClose={() => setPlaying(null)} />
    </section>
  );
}
