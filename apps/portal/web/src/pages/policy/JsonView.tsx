import { useTranslation } from 'react-i18next';
import type { Content } from './draft-content';

/** The whole draft as the API keeps it, kept in step with the form beside it (read it, copy it; edit in the form). */
export function JsonView({ content }: { content: Content }) {
  const { t } = useTranslation();
  return (
    <section className="policy-json" aria-labelledby="policy-json-title">
      <h3 id="policy-json-title" className="policy-subtitle">
        {t('policy.editor.json')}
      </h3>
      <pre tabIndex={0} aria-labelledby="policy-json-title" data-testid="draft-json">
        {JSON.stringify(content, null, 2)}
      </pre>
    </section>
  );
}
