import { Button, Segmented } from 'antd';
import type { ReactNode } from 'react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
import { SPA_ROUTES, type SpaPage } from '../../../src/spa-routes';
import { useMe } from '../api/queries';
import { canAdministerPolicy, canOperate, canReadAudit, canReadUsageReports, canUseWorkspaces } from '../api/roles';
import { DEFAULT_TIME_ZONE, timeZoneName } from '../format';
import type { Language } from '../i18n';
import { useLanguage } from '../language';
import logo from '../logo.svg';

const NAV: SpaPage[] = ['workspaces', 'terminals', 'tokens', 'usage', 'help', 'audit', 'policy', 'finops', 'fleet', 'health'];
/** Pages only some roles may use: the entry is shown to those roles alone (the page itself says so to others). */
const FOR_ROLES: Partial<Record<SpaPage, (roles: readonly string[]) => boolean>> = { workspaces: canUseWorkspaces, terminals: canUseWorkspaces, audit: canReadAudit, policy: canAdministerPolicy, finops: canReadUsageReports, fleet: canOperate, health: canOperate };

/** The frame of every page: skip link, header (brand, navigation, language, who is signed in), main, footer. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [language, setLanguage] = useLanguage();
  const me = useMe();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);
  const roles = me.data?.roles ?? [];
  // Until /me answers, the workspaces entry stays (most callers have it) rather than appearing late.
  const nav = NAV.filter((page) => (page === 'workspaces' && !me.data) || (FOR_ROLES[page]?.(roles) ?? true));

  // After a navigation, focus moves to the new page's content (as a full page load would start there).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="portal-header">
        <NavLink to={SPA_ROUTES.workspaces} className="portal-brand">
          <img src={logo} alt="" />
          {t('app.name')}
        </NavLink>
        <nav className="portal-nav" aria-label={t('app.mainNavigation')}>
          <ul>
            {nav.map((page) => (
              <li key={page}>
                <NavLink to={SPA_ROUTES[page]} end>
                  {t(`nav.${page}`)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="portal-user">
          <Segmented<Language>
            aria-label={t('app.language')}
            size="small"
            value={language}
            onChange={setLanguage}
            options={[
              { label: <span lang="ko">한국어</span>, value: 'ko' },
              { label: <span lang="en">English</span>, value: 'en' },
            ]}
          />
          {me.data && (
            <span className="portal-user-name" data-testid="signed-in-user">
              {t('app.signedInAs', { name: me.data.display_name || me.data.user_id })}
            </span>
          )}
          {me.data?.auth === 'session' && (
            // A form POST, as identity's /auth/logout expects: it ends the session here and at the IdP.
            <form method="post" action="/auth/logout">
              <Button htmlType="submit" size="small">
                {t('app.signOut')}
              </Button>
            </form>
          )}
        </div>
      </header>
      <main id="main" className="portal-main" tabIndex={-1} ref={main}>
        {children}
      </main>
      <footer className="portal-footer">
        <small>{t('app.timeZoneNote', { zone: timeZoneName(me.data?.time_zone ?? DEFAULT_TIME_ZONE, language) })}</small>
      </footer>
    </>
  );
}
