import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';

/** How AI help works in a workspace, what is masked, that prompts are audited, and whom to ask for access. */
export default function HelpPage() {
  const { t } = useTranslation();
  return (
    <div className="help-page">
      <Typography.Title level={1}>{t('help.title')}</Typography.Title>
      <section aria-labelledby="help-ai">
        <Typography.Title level={2} id="help-ai">
          {t('help.aiTitle')}
        </Typography.Title>
        <Typography.Paragraph>{t('help.aiBody')}</Typography.Paragraph>
      </section>
      <section aria-labelledby="help-masked">
        <Typography.Title level={2} id="help-masked">
          {t('help.maskedTitle')}
        </Typography.Title>
        <Typography.Paragraph>{t('help.maskedBody')}</Typography.Paragraph>
        <ul>
          <li>{t('help.maskedSecrets')}</li>
          <li>{t('help.maskedPersonal')}</li>
        </ul>
        <Typography.Paragraph strong>{t('help.maskedNote')}</Typography.Paragraph>
      </section>
      <section aria-labelledby="help-audit">
        <Typography.Title level={2} id="help-audit">
          {t('help.auditTitle')}
        </Typography.Title>
        <Typography.Paragraph>{t('help.auditBody')}</Typography.Paragraph>
      </section>
      <section aria-labelledby="help-access">
        <Typography.Title level={2} id="help-access">
          {t('help.accessTitle')}
        </Typography.Title>
        <ul>
          <li>{t('help.accessProject')}</li>
          <li>{t('help.accessPolicy')}</li>
          <li>{t('help.accessOther')}</li>
        </ul>
      </section>
      <section aria-labelledby="help-tokens">
        <Typography.Title level={2} id="help-tokens">
          {t('help.tokensTitle')}
        </Typography.Title>
        <Typography.Paragraph>
          {t('help.tokensBody')} <Link to={SPA_ROUTES.tokens}>{t('nav.tokens')}</Link>
        </Typography.Paragraph>
      </section>
    </div>
  );
}
