import type { BrowserContext, Page, Response } from 'playwright-core';

import { LOCALES, auditPage, browserSuite, ZOOMED, newContext, noSeriousA11yViolations, reflows, shoot, signIn } from './portal-support';
import { edgeCaller, issueToken, seedUser } from './support';

// The security admin's policy console in a real Chromium through Envoy, in Korean and in English, under four
// eyes, and what the rule it publishes does to the next request: carol drafts a DLP rule for a project code name,
// sees the API's problem at the pattern field, tests the draft's rules on sample text (the finding marked in
// place) and proposes; her own approve is disabled with the reason; dave, in a browser of his own, approves it
// staged and then activates it (confirmed). alice's next /v1/chat that mentions the code name reaches the model
// masked; erin (auditor), in a browser of her own, finds that request by the correlation id the edge returned,
// sees dlp_action mask and the version dave activated, follows the correlation id across services and exports it
// as CSV. Then carol proposes a rollback (confirmed, with a reason) that waits for another approver. alice
// (developer) and erin have no policy entry in the header, and /policy is refused at the edge. axe on every
// console page (erin's audit pages get theirs in portal-audit.e2e.spec.ts), 200 % zoom, screenshots.
const carol = seedUser('carol');
const dave = seedUser('dave');
const alice = seedUser('alice');
const erin = seedUser('erin');

describe("the portal's policy console in a real browser through Envoy (headless Chromium)", () => {
  const suite = browserSuite('e2e-ppol');

  describe.each(LOCALES)('in $locale', ({ locale, lang, s }) => {
    let context: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];
    // A code name per language: each run adds its own rule on top of the version the other one published.
    const codeName = lang === 'ko' ? 'FALCON' : 'HERON';
    const ruleId = `custom.codename_${lang}`;
    // Written FALCON-482 or FALCON 482: the spaced form lets the chat below tell what the model received.
    const codeNamePattern = `${codeName}[- ][0-9]{3}`;
    const reason = `e2e ${codeName} code name (${lang})`;
    /** The version label dave's activation made active (the label decisions, and so audit events, carry as policy_version). */
    let activatedVersion = '';
    /** The correlation id the edge returned for alice's chat that mentions the code name. */
    let chatCorrelationId = '';

    beforeAll(async () => {
      context = await newContext(suite.browser, locale);
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    const tab = (p: Page, label: string) => p.getByRole('tab', { name: label, exact: true });
    const newRule = () => page.getByTestId('dlp-rule').last();
    /** Clicks `button` and resolves to the Policy API's answer to `path` (a suffix of the request's path). */
    async function answered(p: Page, path: string, button: ReturnType<Page['getByRole']>): Promise<Response> {
      const [response] = await Promise.all([p.waitForResponse((r) => new URL(r.url()).pathname.endsWith(path) && r.request().method() !== 'GET'), button.click()]);
      return response;
    }

    it('carol opens the console from the header: the versions, the active one marked', async () => {
      await signIn(page, suite.edge, carol, '/');
      await page.getByRole('navigation').getByRole('link', { name: s.nav.policy }).click();
      await page.getByRole('heading', { level: 1, name: s.policy.title }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/policy');
      const versions = page.getByRole('region', { name: s.policy.versions.title });
      await versions.getByTestId('policy-active').waitFor();
      expect(await versions.getByTestId('policy-active').count()).toBe(1);
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'policy versions');
      await shoot(page, `${lang}-policy-0-versions`);
    });

    it('she starts a draft, adds a DLP rule, and sees the API’s problem at the pattern field', async () => {
      await tab(page, s.policy.tabs.drafts).click();
      await page.getByLabel(s.policy.drafts.reason).fill(reason);
      await answered(page, '/drafts', page.getByTestId('draft-create'));
      await page.getByRole('heading', { level: 2, name: /./ }).filter({ hasText: s.policy.editor.title.split('{{')[0].trim() }).first().waitFor();
      // The other sections, as a security admin finds them: every rule's roles, the limits.
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'policy draft: endpoints and roles');
      await shoot(page, `${lang}-policy-1a-rules`);
      await tab(page, s.policy.sections.limits).click();
      await noSeriousA11yViolations(page, 'policy draft: limits');
      await shoot(page, `${lang}-policy-1b-limits`);
      await tab(page, s.policy.sections.dlp).click();
      await page.getByTestId('dlp-add-rule').click();
      await newRule().getByLabel(s.policy.dlp.id).fill(ruleId);
      await newRule().getByLabel(s.policy.dlp.description).fill(`project ${codeName} code names`);
      // A lookbehind: RE2 (linear time, no backtracking) does not compile it.
      await newRule().getByLabel(s.policy.dlp.pattern).fill(`(?<=of )${codeName}-[0-9]{3}`);
      await newRule().getByLabel(s.policy.dlp.positive).fill(`status of ${codeName}-123`);
      await newRule().getByLabel(s.policy.dlp.negative).fill(`${codeName.toLowerCase()} 123`);
      await answered(page, '', page.getByTestId('draft-save'));
      const pattern = newRule().getByLabel(s.policy.dlp.pattern);
      const problem = newRule().locator('[data-path$=".pattern"] [data-testid="field-problem"]');
      await problem.waitFor();
      expect(await problem.innerText()).toMatch(/RE2/);
      expect(await pattern.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('draft-propose').isDisabled()).toBe(true);
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'policy draft with a problem');
      await shoot(page, `${lang}-policy-1-problem`);
    });

    it("she tests text with the draft's rules: the finding is marked where it is", async () => {
      await newRule().getByLabel(s.policy.dlp.pattern).fill(codeNamePattern);
      await page.getByLabel(s.policy.dlpTest.text).fill(`weekly status of ${codeName}-482, shipping soon`);
      await answered(page, '/dlp/test', page.getByTestId('dlp-test-run'));
      const marked = page.getByTestId('dlp-test-marked');
      await marked.locator('mark').first().waitFor();
      expect(await marked.locator('mark').allInnerTexts()).toEqual([`${codeName}-482`]);
      expect(await marked.locator('mark').getAttribute('data-rule')).toBe(ruleId);
      // The save that came with the test took the problem away.
      expect(await newRule().locator('[data-testid="field-problem"]').count()).toBe(0);
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'policy DLP test');
      await shoot(page, `${lang}-policy-2-dlp-test`);
    });

    it('she proposes it; her own approve is disabled, with the reason', async () => {
      await answered(page, '/propose', page.getByTestId('draft-propose'));
      const proposal = page.getByTestId('proposal').filter({ hasText: reason });
      await proposal.waitFor();
      expect(await proposal.getByTestId('proposal-approve').isDisabled()).toBe(true);
      expect(await proposal.getByTestId('proposal-block').innerText()).toBe(s.policy.approvals.block.own_proposal);
      expect(await proposal.getByTestId('policy-diff').innerText()).toContain(ruleId);
      await page.mouse.move(0, 0);
      await noSeriousA11yViolations(page, 'policy approvals (own proposal)');
      await shoot(page, `${lang}-policy-3-own-proposal`);
    });

    it('dave approves it in a browser of his own, and the new version is the active one', async () => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab2 = await other.newPage();
        await signIn(tab2, suite.edge, dave, '/policy');
        await tab(tab2, s.policy.tabs.approvals).click();
        const proposal = tab2.getByTestId('proposal').filter({ hasText: reason });
        await proposal.waitFor();
        await proposal.getByLabel(s.policy.approvals.comment).fill('four eyes: looks right');
        expect(await proposal.getByTestId('proposal-approve').isEnabled()).toBe(true);
        // Staged: published now, made active after a look at it.
        await proposal.getByLabel(s.policy.approvals.activateNow).uncheck();
        await answered(tab2, '/approve', proposal.getByTestId('proposal-approve'));
        const versions = tab2.getByRole('region', { name: s.policy.versions.title });
        const staged = versions.locator('tbody tr').filter({ hasText: reason });
        await staged.filter({ hasText: s.policy.versions.staged }).waitFor();
        await staged.getByRole('button', { name: s.policy.versions.activate }).click();
        const confirm = tab2.getByRole('dialog');
        await confirm.waitFor();
        await noSeriousA11yViolations(tab2, 'policy activation confirmed');
        const activation = await answered(tab2, '/activate', confirm.getByRole('button', { name: s.policy.versions.activate, exact: true }));
        expect(activation.status()).toBe(200);
        activatedVersion = ((await activation.json()) as { version: string }).version;
        const active = versions.locator('tbody tr').filter({ has: tab2.getByTestId('policy-active') });
        await active.filter({ hasText: reason }).waitFor();
        expect(await active.innerText()).toMatch(/carol[\s\S]*dave/);
        // The diff below compares the newest version with the one before it: the rule carol added.
        await tab2.getByTestId('policy-diff').filter({ hasText: ruleId }).waitFor();
        await tab2.mouse.move(0, 0);
        await noSeriousA11yViolations(tab2, 'policy versions after approval');
        await shoot(tab2, `${lang}-policy-4-approved`);
      } finally {
        await other.close();
      }
    });

    it('holds at 200 % zoom, and logged nothing to the console', async () => {
      await tab(page, s.policy.tabs.versions).click();
      await page.setViewportSize(ZOOMED);
      await reflows(page);
      await noSeriousA11yViolations(page, 'policy versions zoomed');
      await shoot(page, `${lang}-policy-5-zoom`);
      await page.setViewportSize({ width: 1280, height: 720 });
      expect(consoleErrors).toEqual([]);
    });

    it("the Policy API reports carol's code-name rule, action mask, in the active version: the one dave activated", async () => {
      const securityAdmin = await issueToken(suite.mesh, { userId: 'carol', tenantId: 'acme', roles: ['security-admin'] });
      const active = await edgeCaller(suite.mesh)('/api/policy/v1/bundles/active', { token: securityAdmin });
      expect(active.status).toBe(200);
      expect(active.body.version).toBe(activatedVersion);
      const rule = (active.body.dlp.customRules as { id: string }[]).find((r) => r.id === ruleId);
      expect(rule).toMatchObject({ pattern: codeNamePattern, action: 'mask' });
    });

    it("alice's next /v1/chat that mentions the code name reaches the model masked, and the answer does not carry it", async () => {
      const token = await issueToken(suite.mesh, { userId: 'alice', tenantId: 'acme', projectId: 'payments' });
      const said = (name: string) => (lang === 'ko' ? `이번 주 ${name} 진행 상황은?` : `what is the status of ${name} this week?`);
      const prompt = said(`${codeName} 482`);
      const masked = said(`[MASKED:${ruleId}]`);
      const reply = await edgeCaller(suite.mesh)('/v1/chat', { token, body: { messages: [{ role: 'user', content: prompt }] } });
      expect(reply.status).toBe(200);
      // The reference backend echoes what it received.
      expect(reply.body.message.content).toBe(`Reference answer from reference-chat. You said: ${masked}`);
      expect(JSON.stringify(reply.body)).not.toContain(codeName);
      expect(reply.body.dlp_action).toBe('mask');
      // The answer scan would mask an echoed code name again, so the echo alone cannot tell whether the prompt went
      // out masked; the backend's prompt tokens can: it counts the words it received, and the masked code name is
      // one word where alice typed two.
      const words = (text: string) => text.split(/\s+/).length;
      expect([reply.body.usage.prompt_tokens, words(prompt)]).toEqual([words(masked), words(masked) + 1]);
      chatCorrelationId = String(reply.headers['x-correlation-id'] ?? '');
      expect(chatCorrelationId).not.toBe('');
    });

    describe("erin (auditor), in a browser of her own, traces alice's request", () => {
      let trail: BrowserContext;
      let audit: ReturnType<typeof auditPage>;
      beforeAll(async () => {
        trail = await newContext(suite.browser, locale);
        audit = auditPage(await trail.newPage(), s);
      });
      afterAll(async () => {
        await trail?.close();
      });

      it('finds it by the correlation id the edge returned: dlp_action mask, under the version dave activated', async () => {
        const erinPage = audit.page;
        await signIn(erinPage, suite.edge, erin, '/audit');
        await erinPage.getByLabel(s.audit.correlation_id, { exact: true }).fill(chatCorrelationId);
        await audit.searchUntilShown(chatCorrelationId, 'ai.request');
        await audit.openEvent(chatCorrelationId, 'ai.request');
        const fields = ['correlation_id', 'user_id', 'endpoint', 'dlp_action', 'policy_version'];
        const shown = await Promise.all(fields.map(async (name) => [name, await audit.fieldOf(name)]));
        expect(Object.fromEntries(shown)).toEqual({ correlation_id: chatCorrelationId, user_id: 'alice', endpoint: '/v1/chat', dlp_action: 'mask', policy_version: activatedVersion });
        await shoot(erinPage, `${lang}-policy-5a-audit-event`);
      });

      it('follows the correlation id to the events of the request across services, oldest first, and exports them as CSV', async () => {
        await audit.follow();
        // The edge's access record and the gateway's ai.request, as the index has them.
        await audit.eventsOfRequest(chatCorrelationId, ['edge.access', 'ai.request']);
        await shoot(audit.page, `${lang}-policy-5b-audit-request`);
        const shownTypes = await audit.rows().locator('td:nth-child(2)').allInnerTexts();
        const { filename, records } = await audit.exportCsv();
        expect(filename).toBe('audit-events.csv');
        // The file is the search as the page shows it: the same events in the same order, oldest first.
        expect(records.map((r) => r.event_type)).toEqual(shownTypes);
        expect(records.map((r) => r.correlation_id)).toEqual(shownTypes.map(() => chatCorrelationId));
        // The edge's record and the gateway's alike carry the version the edge's decision was made with.
        expect(records.map((r) => r.policy_version)).toEqual(shownTypes.map(() => activatedVersion));
        const times = records.map((r) => r.timestamp);
        expect(times).toEqual([...times].sort());
        expect(records.map((r) => r.service)).toEqual(expect.arrayContaining(['envoy', 'gateway']));
        const chat = records.filter((r) => r.event_type === 'ai.request');
        expect(chat).toEqual([expect.objectContaining({ service: 'gateway', user_id: 'alice', dlp_action: 'mask', policy_version: activatedVersion })]);
        expect(await audit.page.getByTestId('audit-export-error').count()).toBe(0);
      });
    });

    it('carol proposes a rollback to the first version, confirmed with a reason; it waits for another approver', async () => {
      // What dave published in his browser (the page refreshes its lists now and then; a reload is now).
      await page.reload();
      const versions = page.getByRole('region', { name: s.policy.versions.title });
      await versions.locator('tbody tr').filter({ hasText: reason }).getByTestId('policy-active').waitFor();
      await versions.locator('tbody tr').last().getByRole('button', { name: s.policy.versions.rollback }).click();
      const confirm = page.getByRole('dialog');
      await confirm.getByLabel(s.policy.versions.rollbackReason).fill(`e2e rollback (${lang})`);
      await answered(page, '/rollback', confirm.getByRole('button', { name: s.policy.versions.rollback, exact: true }));
      await tab(page, s.policy.tabs.approvals).click();
      const proposal = page.getByTestId('proposal').filter({ hasText: `e2e rollback (${lang})` });
      await proposal.waitFor();
      expect(await proposal.getByTestId('proposal-approve').isDisabled()).toBe(true);
      await shoot(page, `${lang}-policy-6-rollback`);
    });

    it.each([
      ['alice', alice],
      ['erin', erin],
    ])('%s (no security admin) has no policy entry in the header, and /policy is refused at the edge', async (_, user) => {
      const other = await newContext(suite.browser, locale);
      try {
        const tab2 = await other.newPage();
        await signIn(tab2, suite.edge, user, '/help');
        await tab2.getByRole('navigation').getByRole('link', { name: s.nav.help }).waitFor();
        expect(await tab2.getByRole('navigation').getByRole('link', { name: s.nav.policy }).count()).toBe(0);
        const refused = (await tab2.goto(`${suite.edge}/policy`))!;
        expect([refused.status(), refused.headers()['content-type']]).toEqual([403, 'text/html; charset=utf-8']);
        expect(await tab2.textContent('h1')).toBe(lang === 'ko' ? '접근이 거부되었습니다' : 'Access denied');
      } finally {
        await other.close();
      }
    });
  });
});
