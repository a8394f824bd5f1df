import { Alert, Button, Skeleton, Tabs } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePolicyDraft, useProposeDraft, useSaveDraft } from '../../api/policy-queries';
import type { PolicyDraft } from '../../api/types';
import { errorText } from '../../errors';
import { StatusBadge } from '../../layout/StatusBadge';
import { AliasesSection } from './AliasesSection';
import { DlpSection } from './DlpSection';
import { DlpTestPanel } from './DlpTestPanel';
import { type Content, setAt } from './draft-content';
import { JsonView } from './JsonView';
import { LimitsSection, SessionsSection } from './LimitsSection';
import { useNotifier } from './notify';
import { fieldProblems } from './problems';
import { RulesSection } from './RulesSection';
import type { SectionProps } from './section';

/** An open draft in the structured editor, its whole JSON beside it; save, then propose. */
export function DraftEditor({ id, onClose, onProposed }: { id: string; onClose: () => void; onProposed: () => void }) {
  const { t } = useTranslation();
  const draft = usePolicyDraft(id);
  if (draft.error) return <Alert type="error" showIcon role="alert" title={errorText(t, draft.error)} />;
  if (!draft.data) return <Skeleton active />;
  return <Editor draft={draft.data} onClose={onClose} onProposed={onProposed} />;
}

function Editor({ draft, onClose, onProposed }: { draft: PolicyDraft; onClose: () => void; onProposed: () => void }) {
  const { t } = useTranslation();
  const notify = useNotifier();
  const [content, setContent] = useState<Content>(draft.content);
  const [dirty, setDirty] = useState(false);
  const save = useSaveDraft();
  const propose = useProposeDraft();
  // A new revision from the API (a save's answer) is what the editor now shows; a refetch of the same revision
  // leaves unsaved edits alone.
  const [revision, setRevision] = useState(draft.revision);
  if (draft.revision !== revision) {
    setRevision(draft.revision);
    setContent(draft.content);
    setDirty(false);
  }

  const readOnly = draft.state !== 'open';
  // The problems belong to the saved revision; after an edit they may be stale until the next save.
  const problems = useMemo(() => fieldProblems(draft.validation.problems, draft.content), [draft.validation.problems, draft.content]);
  const change = (path: string, value: unknown) => {
    setContent((current) => setAt(current, path, value));
    setDirty(true);
  };
  const saveNow = async (): Promise<PolicyDraft> => (dirty ? save.mutateAsync({ draft, content }) : draft);
  const onSave = () =>
    void saveNow().then(
      (saved) => notify.done(saved.validation.valid ? t('policy.editor.saved') : t('policy.editor.savedWithProblems', { count: saved.validation.problems.length })),
      notify.failed,
    );
  const onPropose = () =>
    void propose.mutateAsync(draft).then(() => {
      notify.done(t('policy.editor.proposed'));
      onProposed();
    }, notify.failed);

  const props: SectionProps = { content, change, problems, readOnly };
  const count = (prefix: string) => problems.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`)).length;
  // A section with problems says how many: a short number to see (tabs that overflow get a menu that is not a tab), words to hear.
  const label = (key: string, prefixes: string[]) => {
    const n = prefixes.reduce((sum, p) => sum + count(p), 0);
    if (!n) return t(`policy.sections.${key}`);
    return (
      <>
        {t(`policy.sections.${key}`)} <span aria-hidden="true">({n})</span>
        <span className="visually-hidden">{t('policy.sections.problemCount', { count: n })}</span>
      </>
    );
  };
  return (
    <section aria-labelledby="draft-editor-title" className="policy-editor">
      <div className="policy-editor-head">
        <h2 id="draft-editor-title" className="policy-section-title">
          {t('policy.editor.title', { base: draft.base_version })}
        </h2>
        <StatusBadge tone={draft.state === 'open' ? 'progress' : 'neutral'}>{t(`policy.draftState.${draft.state}`)}</StatusBadge>
        {dirty && <StatusBadge tone="warning">{t('policy.editor.unsaved')}</StatusBadge>}
      </div>
      <div className="policy-editor-actions">
        {!readOnly && (
          <>
            <Button onClick={onSave} disabled={!dirty} loading={save.isPending} data-testid="draft-save">
              {t('policy.editor.save')}
            </Button>
            <Button type="primary" onClick={onPropose} disabled={dirty || !draft.validation.valid} loading={propose.isPending} data-testid="draft-propose">
              {t('policy.editor.propose')}
            </Button>
          </>
        )}
        <Button onClick={onClose}>{t('policy.editor.close')}</Button>
      </div>
      {!readOnly && (dirty || !draft.validation.valid) && <p className="policy-muted">{dirty ? t('policy.editor.saveBeforePropose') : t('policy.editor.fixBeforePropose')}</p>}
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          title={t('policy.editor.problems', { count: problems.length })}
          description={
            <ul className="policy-problem-list" data-testid="draft-problems">
              {problems.map((p, i) => (
                <li key={i}>
                  {p.path && <code>{p.path}</code>} {p.message}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <div className="policy-editor-body">
        <Tabs
          className="policy-editor-tabs"
          items={[
            { key: 'rules', label: label('rules', ['rules', 'defaultRule', 'backends']), children: <RulesSection {...props} /> },
            { key: 'aliases', label: label('aliases', ['modelAliases']), children: <AliasesSection {...props} /> },
            {
              key: 'dlp',
              label: label('dlp', ['dlp']),
              children: (
                <>
                  <DlpSection {...props} />
                  <DlpTestPanel draftId={draft.id} save={saveNow} />
                </>
              ),
            },
            { key: 'limits', label: label('limits', ['limits']), children: <LimitsSection {...props} /> },
            { key: 'sessions', label: label('sessions', ['sessions']), children: <SessionsSection {...props} /> },
          ]}
        />
        <JsonView
          content={content}
          readOnly={readOnly}
          onApply={(next) => {
            setContent(next);
            setDirty(true);
          }}
        />
      </div>
    </section>
  );
}
