import { Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { exportAuditCsv } from '../../api/endpoints';
import type { AuditFilter } from '../../api/types';

/**
 * Downloads the whole search as `audit-events.csv`. Fetched here rather than by a plain link, so that a refusal
 * (a search too large to export) reaches the page as words in the user's language, not as a saved error body.
 */
export function ExportCsvButton({ filter, onError }: { filter: AuditFilter | null; onError: (error: unknown) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    if (!filter) return;
    setBusy(true);
    onError(null);
    try {
      const url = URL.createObjectURL(await exportAuditCsv(filter));
      const link = Object.assign(document.createElement('a'), { href: url, download: 'audit-events.csv' });
      link.click();
      // After the click has handed the file to the browser's download.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button onClick={() => void download()} disabled={!filter} loading={busy} data-testid="audit-export">
      {t('audit.export')}
    </Button>
  );
}
