import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import koKR from 'antd/locale/ko_KR';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useLocation } from 'react-router';
import { SPA_ROUTES } from '../../src/spa-routes';
import { lazyPage } from './lazy-page';
import { useLanguage } from './language';
import { PageErrorBoundary } from './layout/PageErrorBoundary';
import { Shell } from './layout/Shell';
import { WorkspacesPage } from './pages/WorkspacesPage';

// The first page (workspaces) is in the entry chunk; the others load when first visited.
const TokensPage = lazyPage(() => import('./pages/TokensPage'));
const UsagePage = lazyPage(() => import('./pages/UsagePage'));
const HelpPage = lazyPage(() => import('./pages/HelpPage'));
const AuditPage = lazyPage(() => import('./pages/AuditPage'));
const PolicyPage = lazyPage(() => import('./pages/PolicyPage'));
// xterm.js is large: it loads with the terminals page only.
const TerminalsPage = lazyPage(() => import('./pages/TerminalsPage'));
// ECharts loads later still, with the console's chart.
const FinOpsPage = lazyPage(() => import('./pages/FinOpsPage'));
// The operators' pages (SREs, security administrators).
const FleetPage = lazyPage(() => import('./pages/FleetPage'));
const HealthPage = lazyPage(() => import('./pages/HealthPage'));
const NotFoundPage = lazyPage(() => import('./pages/NotFoundPage'));

const ANTD_LOCALES = { ko: koKR, en: enUS };

/** Shown while a page's chunk loads: a status, announced, not a blank screen. */
function PageLoading() {
  const { t } = useTranslation();
  return (
    <div role="status" style={{ padding: '3rem', textAlign: 'center' }}>
      <Spin />
      <span style={{ marginLeft: '0.75rem' }}>{t('app.loading')}</span>
    </div>
  );
}

export function App({ nonce }: { nonce: string }) {
  const [language] = useLanguage();
  const { t } = useTranslation();
  const { pathname } = useLocation();
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.name');
  }, [language, t]);
  return (
    <ConfigProvider
      locale={ANTD_LOCALES[language]}
      csp={{ nonce }}
      theme={{
        // Every colour that carries text keeps 4.5:1 against its background (WCAG AA): Ant Design's own status
        // colours (green, red, gold text on tags and danger buttons) and its grey descriptions do not.
        token: {
          colorPrimary: '#1d4ed8',
          colorLink: '#1d4ed8',
          colorSuccess: '#2b6a12',
          colorError: '#b42318',
          colorWarning: '#8a5300',
          colorTextDescription: 'rgba(0, 0, 0, 0.68)',
          borderRadius: 6,
          fontSize: 15,
        },
      }}
    >
      <AntApp>
        <Shell>
          <PageErrorBoundary page={pathname}>
            <Suspense fallback={<PageLoading />}>
              <Routes>
                <Route path={SPA_ROUTES.workspaces} element={<WorkspacesPage />} />
                <Route path={SPA_ROUTES.tokens} element={<TokensPage />} />
                <Route path={SPA_ROUTES.usage} element={<UsagePage />} />
                <Route path={SPA_ROUTES.help} element={<HelpPage />} />
                <Route path={SPA_ROUTES.audit} element={<AuditPage />} />
                <Route path={SPA_ROUTES.policy} element={<PolicyPage />} />
                <Route path={SPA_ROUTES.terminals} element={<TerminalsPage />} />
                <Route path={SPA_ROUTES.finops} element={<FinOpsPage />} />
                <Route path={SPA_ROUTES.fleet} element={<FleetPage />} />
                <Route path={SPA_ROUTES.health} element={<HealthPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </PageErrorBoundary>
        </Shell>
      </AntApp>
    </ConfigProvider>
  );
}
