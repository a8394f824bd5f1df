import { Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SPA_ROUTES } from '../../../src/spa-routes';
import { useMe } from '../api/queries';
import { canAdministerPolicy } from '../api/roles';
import { loadPolicyStrings } from '../i18n/policy';
import { MessagePage } from '../layout/MessagePage';
import { ApprovalsPanel } from './policy/ApprovalsPanel';
import { DraftsPanel } from './policy/DraftsPanel';
import { VersionsPanel } from './policy/VersionsPanel';
import './policy/policy.css';

loadPolicyStrings();

type Tab = 'versions' | 'drafts' | 'approvals';

/**
 * The security administrator's policy console: published versions and their diffs, drafts in a structured
 * editor, and the four-eyes queue. The edge admits security administrators only; the page says no itself too.
 */
export default function PolicyPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [tab, setTab] = useState<Tab>('versions');
  if (!me.data) return null;
  if (!canAdministerPolicy(me.data.roles)) {
    return <MessagePage status="403" title={t('policy.notAllowedTitle')} body={t('policy.notAllowedBody')} action={<Link to={SPA_ROUTES.workspaces}>{t('notFound.home')}</Link>} />;
  }
  const userId = me.data.user_id;
  return (
    <>
      <div className="page-heading">
        <h1>{t('policy.title')}</h1>
      </div>
      <p className="page-intro">{t('policy.intro')}</p>
      <Tabs
        activeKey={tab}
        onChange={(key) => setTab(key as Tab)}
        items={[
          { key: 'versions', label: t('policy.tabs.versions'), children: <VersionsPanel /> },
          { key: 'drafts', label: t('policy.tabs.drafts'), children: <DraftsPanel onProposed={() => setTab('approvals')} /> },
          { key: 'approvals', label: t('policy.tabs.approvals'), children: <ApprovalsPanel userId={userId} onDecided={() => setTab('versions')} /> },
        ]}
      />
    </>
  );
}
