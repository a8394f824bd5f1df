import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import type { PlatformHealth, ServiceHealth } from '../api/ops-endpoints';
import { usePlatformHealth } from '../api/ops-queries';
import { useMe } from '../api/queries';
import { canOperate } from '../api/roles';
import { errorText } from '../errors';
import { DEFAULT_TIME_ZONE, formatDateTime, formatNumber } from '../format';
import { loadOpsStrings } from '../i18n/ops';
import { useLanguage } from '../language';
import { type Column, DataTable } from '../layout/DataTable';
import { MessagePage } from '../layout/MessagePage';
import { StatusBadge, type Tone } from '../layout/StatusBadge';
import './fleet/ops.css';

loadOpsStrings();

const STATUS_TONES: Record<ServiceHealth['status'], Tone> = { serving: 'good', not_serving: 'warning', down: 'bad' };

/** The platform's health for its operators (SREs, security administrators); others get a page saying so. */
export default function HealthPage() {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.data) return null;
  if (!canOperate(me.data.roles)) {
    return <MessagePage status="403" title={t('health.notAllowedTitle')} body={t('health.notAllowedBody')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />;
  }
  return <Health timeZone={me.data.time_zone ?? DEFAULT_TIME_ZONE} />;
}

function Health({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const health = usePlatformHealth();
  const data = health.data;
  const columns: Column<ServiceHealth>[] = [
    { key: 'service', title: t('health.service'), render: (s) => s.name },
    {
      key: 'status',
      title: t('health.status'),
      render: (s) => (
        <StatusBadge tone={STATUS_TONES[s.status]} testId={`health-status-${s.name}`}>
          {t(`health.states.${s.status}`)}
        </StatusBadge>
      ),
    },
    { key: 'version', title: t('health.version'), render: (s) => s.version ?? t('health.unknown') },
    { key: 'latency', title: t('health.responseTime'), align: 'right', render: (s) => t('health.milliseconds', { ms: formatNumber(s.latency_ms, language) }) },
    { key: 'detail', title: t('health.detail'), render: (s) => s.detail ?? '' },
  ];

  return (
    <section className="ops-page" aria-labelledby="health-title" data-testid="health-page">
      <div className="page-heading">
        <h1 id="health-title">{t('health.title')}</h1>
        <Button icon={<ReloadOutlined aria-hidden />} onClick={() => void health.refetch()} loading={health.isFetching}>
          {t('health.checkAgain')}
        </Button>
      </div>
      <p className="page-intro">{t('health.intro')}</p>
      {health.isError && <Alert type="error" showIcon title={`${t('health.loadFailed')} ${errorText(t, health.error)}`} />}
      {data && (
        <>
          <div className="health-summary" role="status">
            <StatusBadge tone={data.status === 'ok' ? 'good' : 'bad'} testId="health-overall">
              {t(`health.overall.${data.status}`)}
            </StatusBadge>
            <span>{t('health.checkedAt', { time: formatDateTime(data.checked_at, language, timeZone) })}</span>
          </div>
          <DataTable caption={t('health.caption')} columns={columns} rows={data.services} rowKey={(s) => s.name} empty={t('health.unknown')} />
          <Figures health={data} />
        </>
      )}
    </section>
  );
}

/** The policy in force, the audit pipeline's backlog, and where the metrics and alerts are. */
function Figures({ health }: { health: PlatformHealth }) {
  const { t } = useTranslation();
  const [language] = useLanguage();
  const count = (n: number | null) => (n === null ? t('health.unknown') : t('health.events', { count: formatNumber(n, language) }));
  const version = health.policy.active_version;
  const { prometheus, alerts } = health.links;
  return (
    <>
      <h2>{t('health.policy')}</h2>
      <dl className="health-facts">
        <dt>{t('health.activeVersion')}</dt>
        <dd data-testid="health-policy-version">{version === null ? t('health.unknown') : version === 0 ? t('health.bundleFile') : t('health.versionNumber', { number: version })}</dd>
      </dl>
      <h2>{t('health.audit')}</h2>
      <dl className="health-facts">
        <dt>{t('health.consumerLag')}</dt>
        <dd data-testid="health-audit-lag">{count(health.audit.consumer_lag)}</dd>
        <dt>{t('health.spool')}</dt>
        <dd data-testid="health-audit-spool">{count(health.audit.spool_messages)}</dd>
      </dl>
      <h2>{t('health.monitoring')}</h2>
      {prometheus ? (
        <ul className="health-links">
          <li>
            <a href={prometheus} target="_blank" rel="noopener noreferrer">
              {t('health.prometheus')}
            </a>
          </li>
          {alerts && (
            <li>
              <a href={alerts} target="_blank" rel="noopener noreferrer">
                {t('health.alerts')}
              </a>
            </li>
          )}
        </ul>
      ) : (
        <p>{t('health.noPrometheus')}</p>
      )}
    </>
  );
}
