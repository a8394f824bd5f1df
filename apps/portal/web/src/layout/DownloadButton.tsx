import { Button } from 'antd';
import { useState } from 'react';

/**
 * Saves what `fetchFile` returns under `filename`. Fetched by the page rather than followed as a plain link, so
 * that a refusal (an export too large, say) reaches the page through `onError` as words in the user's language,
 * not as a saved error body. `fetchFile` null: nothing to download yet (the button is disabled).
 */
export function DownloadButton({ fetchFile, filename, label, testId, onError }: { fetchFile: (() => Promise<Blob>) | null; filename: string; label: string; testId: string; onError: (error: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    if (!fetchFile) return;
    setBusy(true);
    onError(null);
    try {
      const url = URL.createObjectURL(await fetchFile());
      const link = Object.assign(document.createElement('a'), { href: url, download: filename });
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
    <Button onClick={() => void download()} disabled={!fetchFile} loading={busy} data-testid={testId}>
      {label}
    </Button>
  );
}
