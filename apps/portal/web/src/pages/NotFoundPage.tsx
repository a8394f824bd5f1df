import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title={<h1 style={{ fontSize: '1.5rem', margin: 0 }}>{t('notFound.title')}</h1>}
      subTitle={t('notFound.body')}
      extra={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>}
    />
  );
}
