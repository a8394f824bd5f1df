import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { MessagePage } from '../layout/MessagePage';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return <MessagePage status="404" title={t('notFound.title')} body={t('notFound.body')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />;
}
