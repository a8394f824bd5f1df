import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../../src/spa-routes';
import { MessagePage } from '../../layout/MessagePage';

/** The home page of a role without workspaces (a pure auditor, whom the workspace API refuses): says so, and where to go. */
export default function NoWorkspacesForRole({ canReadAudit }: { canReadAudit: boolean }) {
  const { t } = useTranslation();
  return (
    <MessagePage
      status="info"
      title={t('workspaces.noneForRoleTitle')}
      body={t('workspaces.noneForRoleBody')}
      action={canReadAudit ? <Link to={SPA_ROUTES.audit}>{t('workspaces.openAudit')}</Link> : undefined}
    />
  );
}
