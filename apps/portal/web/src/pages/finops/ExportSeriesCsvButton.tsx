import { Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { exportUsageSeriesCsv } from '../../api/finops-endpoints';
import type { FinOpsFilter } from '../../api/types';

/**
 * Downloads the series of the current filter as CSV. Fetched here rather than by a plain link, so that a refusal
 * (a range too large) reaches the page as words in the user's language, not as a saved error body.
 */
export function ExportSeriesCsvButton({ filter, onError }: { filter: FinOpsFilter; onError: (error: unknown) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    onError(null);
    try {
      const url = URL.createObjectURL(await exportUsageSeriesCsv(filter));
      const link = Object.assign(document.createElement('a'), { href: url, download: `usage-${filter.group_by}-${filter.from}-${filter.to}.csv` });
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
    <Button onClick={() => void download()} loading={busy} data-testid="finops-export">
      {t('finops.export')}
    </Button>
  );
}
