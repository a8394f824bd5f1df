import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';

/** How AI help works in a workspace, what is masked, that prompts are audited, and whom to ask for access. */
export default function HelpPage() {
  const { t } = useTranslation();
  return (
    <div className="help-page">
      <h1>{t('help.title')}</h1>
      <section aria-labelledby="help-ai">
        <h2 id="help-ai">{t('help.aiTitle')}</h2>
        <p>{t('help.aiBody')}</p>
      </section>
      <section aria-labelledby="help-masked">
        <h2 id="help-masked">{t('help.maskedTitle')}</h2>
        <p>{t('help.maskedBody')}</p>
        <ul>
          <li>{t('help.maskedSecrets')}</li>
          <li>{t('help.maskedPersonal')}</li>
        </ul>
        <p><strong>{t('help.maskedNote')}</strong></p>
      </section>
      <section aria-labelledby="help-audit">
        <h2 id="help-audit">{t('help.auditTitle')}</h2>
        <p>{t('help.auditBody')}</p>
      </section>
      <section aria-labelledby="help-access">
        <h2 id="help-access">{t('help.accessTitle')}</h2>
        <ul>
          <li>{t('help.accessProject')}</li>
          <li>{t('help.accessPolicy')}</li>
          <li>{t('help.accessOther')}</li>
        </ul>
      </section>
      <section aria-labelledby="help-tokens">
        <h2 id="help-tokens">{t('help.tokensTitle')}</h2>
        <p>
          {t('help.tokensBody')} <Link to={SPA_ROUTES.tokens}>{t('nav.tokens')}</Link>
        </p>
      </section>
    </div>
  );
}
