import { Alert, Button, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDlpTest } from '../../api/policy-queries';
import type { DlpTestReport } from '../../api/types';
import { errorText } from '../../errors';
import { segments } from './highlight';

/**
 * "Test this text": the draft's own DLP rules (as saved; unsaved changes are saved first) applied to a sample,
 * the findings marked where they are, and what the dlp service would do with the text.
 */
export function DlpTestPanel({ draftId, save }: { draftId: string; save: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [tested, setTested] = useState<{ text: string; report: DlpTestReport } | null>(null);
  const test = useDlpTest();
  const run = async () => {
    await save();
    const sample = text;
    setTested({ text: sample, report: await test.mutateAsync({ draftId, text: sample }) });
  };
  return (
    <section className="policy-card" aria-labelledby="dlp-test-title">
      <h3 id="dlp-test-title" className="policy-subtitle">
        {t('policy.dlpTest.title')}
      </h3>
      <p className="policy-muted">{t('policy.dlpTest.intro')}</p>
      <label htmlFor="dlp-test-text">{t('policy.dlpTest.text')}</label>
      <Input.TextArea id="dlp-test-text" rows={3} maxLength={100_000} value={text} onChange={(e) => setText(e.target.value)} />
      <Button className="policy-add" type="primary" disabled={!text} loading={test.isPending} onClick={() => void run().catch(() => undefined)} data-testid="dlp-test-run">
        {t('policy.dlpTest.run')}
      </Button>
      {test.error && <Alert type="error" showIcon role="alert" title={errorText(t, test.error)} />}
      <div role="status">
        {tested && !test.error && (
          <div className="dlp-test-result" data-testid="dlp-test-result">
            <p>
              {t('policy.dlpTest.summary', { count: tested.report.findings.length, action: tested.report.action })}
            </p>
            <p className="dlp-test-text" data-testid="dlp-test-marked">
              {segments(tested.text, tested.report.findings).map((s, i) =>
                s.findings ? (
                  <mark key={i} data-rule={s.findings.map((f) => f.ruleId).join(' ')} title={s.findings.map((f) => `${f.ruleId} (${f.category})`).join(', ')}>
                    {s.text}
                  </mark>
                ) : (
                  <span key={i}>{s.text}</span>
                ),
              )}
            </p>
            {tested.report.findings.length > 0 && (
              <ul className="dlp-test-findings">
                {tested.report.findings.map((f, i) => (
                  <li key={i}>
                    {t('policy.dlpTest.finding', { rule: f.ruleId, category: f.category, value: tested.text.slice(f.start, f.end) })}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
