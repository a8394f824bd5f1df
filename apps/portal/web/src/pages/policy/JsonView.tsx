import { Alert, Button, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Content } from './draft-content';

const pretty = (content: Content) => JSON.stringify(content, null, 2);

/**
 * The whole draft as JSON beside the form, in step with it. What the form has no field for (conditions,
 * routes, DLP overrides, per-tenant session limits) is edited here and applied to the draft; the form follows.
 */
export function JsonView({ content, readOnly, onApply }: { content: Content; readOnly: boolean; onApply: (content: Content) => void }) {
  const { t } = useTranslation();
  // The text typed here, until applied or discarded; otherwise the form's content.
  const [typed, setTyped] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const apply = () => {
    try {
      const parsed: unknown = JSON.parse(typed ?? '');
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(t('policy.editor.jsonNotObject'));
      onApply(parsed as Content);
      setTyped(null);
      setInvalid(null);
    } catch (error) {
      setInvalid((error as Error).message);
    }
  };
  return (
    <section className="policy-json" aria-labelledby="policy-json-title">
      <h3 id="policy-json-title" className="policy-subtitle">
        {t('policy.editor.json')}
      </h3>
      <Input.TextArea
        aria-labelledby="policy-json-title"
        className="policy-code-input"
        // A fixed height: antd's autoSize measures with a hidden, focusable twin that axe rightly flags.
        rows={24}
        spellCheck={false}
        readOnly={readOnly}
        value={typed ?? pretty(content)}
        status={invalid ? 'error' : undefined}
        aria-invalid={invalid ? true : undefined}
        onChange={(e) => setTyped(e.target.value)}
        data-testid="draft-json"
      />
      {invalid && <Alert type="error" showIcon role="alert" title={t('policy.editor.jsonInvalid', { reason: invalid })} />}
      {typed !== null && (
        <div className="policy-editor-actions policy-add">
          <Button onClick={apply}>{t('policy.editor.jsonApply')}</Button>
          <Button
            onClick={() => {
              setTyped(null);
              setInvalid(null);
            }}
          >
            {t('policy.editor.jsonDiscard')}
          </Button>
        </div>
      )}
    </section>
  );
}
