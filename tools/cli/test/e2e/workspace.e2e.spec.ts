import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { airlock } from '@airlock/contracts';
import { Metadata, createClient, unary } from '@airlock/grpc';
import { CHROMIUM_FLAGS, ensureChromium, ensureCodeServer, eventually, freshUserDataDir, stateDir, uniquePrefix } from '@airlock/testing';
import { operatorCredentials, operatorTls, startMesh, stopMesh, type MeshInfo } from '../../src/mesh';
import { auditSinkEvent, edgeCaller, issueToken, seedUser, submitPasswordAndTotp } from './support';

// Issue 8's "done": a headless Chromium logs in, a workspace is created through the workspace API, opened
// through Envoy at /w/<id>/ (ext_authz — the built-in bundle's rule ws.browser.allow —, then the workspace
// service's route, which verifies the edge's identity assertion, then that workspace's own code-server,
// WebSockets included), the VS Code workbench loads, a file is created, edited and saved (and checked on
// disk); the Airlock AI extension (apps/vscode-airlock, installed from the catalogued VSIX) offers the
// gateway's autocomplete as ghost text, accepted with Tab; a second user gets 403 on that URL. And persistent
// terminals: a command started in the integrated terminal keeps running on the server, as the workspace's own
// account, when the browser is gone, and a fresh browser re-attaches to the same shell, output included.
const alice = seedUser('alice');

describe('a workspace in the browser through Envoy (headless Chromium, real code-server)', () => {
  const name = uniquePrefix('e2e-ws');
  let mesh: MeshInfo;
  let edge: string;
  let executablePath: string;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: Awaited<ReturnType<typeof freshUserDataDir>> | undefined;
  let tenantId: string;
  let workspaceId: string;
  const onDisk = (name: string) => path.join(mesh.workspaces.dir, workspaceId, 'home', 'e2e', name);

  /** A browser with an empty profile (no cookies, no workbench state), like another machine's. */
  async function openBrowser(): Promise<void> {
    profile = await freshUserDataDir('workspace-e2e');
    // No WebGL: xterm.js falls back to its DOM renderer, so the terminal's text is in `.xterm-rows` to wait on.
    const args = [...CHROMIUM_FLAGS, '--disable-3d-apis'];
    context = await chromium.launchPersistentContext(profile.dir, { executablePath, headless: true, args, ignoreHTTPSErrors: true });
    page = context.pages()[0] ?? (await context.newPage());
  }

  /**
   * Closes the page like a user closing the tab (beforeunload and pagehide handlers run: the workbench's own
   * shutdown, accepting a "leave the page?" prompt), then the whole browser.
   */
  async function closeBrowser(): Promise<void> {
    if (page && !page.isClosed()) {
      page.on('dialog', (dialog) => void dialog.accept());
      const closed = page.waitForEvent('close');
      await page.close({ runBeforeUnload: true });
      await closed;
    }
    await context?.close();
    await profile?.remove();
    context = undefined;
    profile = undefined;
  }

  /** The dev IdP's login form, password + TOTP, then back at `returnTo` on the edge. */
  async function logIn(returnTo: string): Promise<void> {
    await page.goto(`${edge}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    await submitPasswordAndTotp(page, alice);
    await page.waitForURL((url) => url.origin === edge && url.pathname === returnTo);
  }

  /** /w/<id>/, then {@link workbenchReady}. */
  async function openWorkbench(): Promise<void> {
    await page.goto(`${edge}/w/${workspaceId}/`);
    await workbenchReady();
  }

  /** The workbench loaded and the explorer shows the project folder (only once its WebSocket works). */
  async function workbenchReady(): Promise<void> {
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.explorer-folders-view', { timeout: 60_000 });
  }

  /** A command of the palette (F1), chosen by its exact label. */
  async function runCommand(label: string): Promise<void> {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(label);
    const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: exact }) })
      .first()
      .click({ timeout: 10_000 });
  }

  /**
   * The terminal panel, focused on its active terminal. The view creates a terminal only when, once connected
   * to the server's pty host (re-attaching what it keeps), there is none: unlike "Focus Terminal" or "Create
   * New Terminal", it cannot race the re-attach (and is offered before the terminal backend is registered).
   */
  async function showTerminal(): Promise<void> {
    await runCommand('View: Toggle Terminal');
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea').first().focus();
  }

  /** A new file through the explorer's "New File..." action (an inline name box in the tree), open in an editor. */
  async function newFile(name: string): Promise<string> {
    // The pane's actions show on hover only; the click event reaches the action whether or not it is painted yet.
    const header = page.locator('.explorer-viewlet .pane-header:has(.codicon-new-file)').first();
    await header.hover();
    await header.locator('.codicon-new-file').dispatchEvent('click');
    await page.waitForSelector('.explorer-folders-view .monaco-inputbox input');
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    const file = onDisk(name);
    // Created on disk by the workspace's code-server (as its own account), then opened in an editor: that
    // file's editor, not the one of the file before it, still visible while this one opens.
    await eventually(`${name} created on disk`, () => (existsSync(file) ? true : undefined), 30_000);
    await page.locator(`[data-uri$="/${name}"] .view-lines`).first().click({ timeout: 30_000 });
    return file;
  }

  beforeAll(async () => {
    executablePath = await ensureChromium();
    // A one-time build on a fresh machine; cached afterwards.
    await ensureCodeServer();
    mesh = await startMesh({
      name,
      ports: 'free',
      workspaceDriver: 'local',
      log: (l) => process.stderr.write(`[e2e] ${l}\n`),
    });
    edge = `https://localhost:${mesh.envoy.httpsPort}`;
    await openBrowser();
  }, 30 * 60_000);

  afterAll(async () => {
    await closeBrowser();
    if (mesh) await stopMesh(name);
  }, 60_000);

  it('logs alice in (password + TOTP) and learns her tenant from the session', async () => {
    await logIn('/auth/session');
    const probe = (await (await context!.request.get(`${edge}/auth/session`)).json()) as { principal: { user_id: string; tenant_id: string } };
    expect(probe.principal.user_id).toBe('alice');
    tenantId = probe.principal.tenant_id;
  });

  it('creates a workspace through the workspace API and it becomes RUNNING', async () => {
    const client = createClient(airlock.workspace.v1.WorkspaceServiceClient, `127.0.0.1:${mesh.services.workspace.grpc}`, { credentials: operatorCredentials(mesh) });
    try {
      const metadata = new Metadata();
      metadata.set('x-user-id', 'alice');
      const created = await new Promise<airlock.workspace.v1.CreateWorkspaceResponse>((resolve, reject) =>
        client.createWorkspace({ tenantId, projectId: 'e2e', ownerUserId: 'alice', image: '', resources: undefined }, metadata, (e, r) => (e ? reject(e) : resolve(r))),
      );
      workspaceId = created.workspace!.workspaceId;
      const running = await eventually(
        'workspace running',
        async () => {
          const w = (await unary(client.getWorkspace.bind(client), { workspaceId })).workspace!;
          return w.observedState === airlock.workspace.v1.WorkspaceState.WORKSPACE_STATE_RUNNING ? w : undefined;
        },
        60_000,
      );
      expect(running).toMatchObject({ workspaceId, tenantId, projectId: 'e2e', ownerUserId: 'alice', desiredState: airlock.workspace.v1.WorkspaceState.WORKSPACE_STATE_RUNNING });
    } finally {
      client.close();
    }
  });

  it('opens /w/<id>/ through Envoy: the VS Code workbench loads and a file is created, edited and saved to disk', async () => {
    const sockets: { url: string; frames: number }[] = [];
    page.on('websocket', (ws) => {
      const entry = { url: ws.url(), frames: 0 };
      sockets.push(entry);
      ws.on('framereceived', () => (entry.frames += 1));
    });
    await openWorkbench();
    // VS Code's built-in chat offers a cloud service this network cannot reach: the workspace settings hide it,
    // and the Airlock extension (its status bar item) is the AI here.
    await page.locator('.statusbar-item').filter({ hasText: /Airlock/ }).first().waitFor({ timeout: 60_000 });
    const screenshots = path.join(process.env.AIRLOCK_TEST_RESULTS_DIR ?? path.join(stateDir(), 'test-results'), 'screenshots', 'workspace');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'workbench.png') });
    expect(await page.getByText('Build with Agent').count()).toBe(0);
    expect(await page.locator('.part.titlebar .codicon-copilot, .part.statusbar .codicon-copilot').count()).toBe(0);

    const file = await newFile('hello.txt');
    await page.keyboard.type('written in the browser, saved through Envoy\n');
    await page.keyboard.press('Control+S');

    const content = await eventually('hello.txt saved on disk', () => (existsSync(file) && readFileSync(file, 'utf8').includes('saved through Envoy') ? readFileSync(file, 'utf8') : undefined), 30_000);
    expect(content).toContain('written in the browser, saved through Envoy');
    // Written by the workspace's own OS account when the machine allows one (root + useradd), not by root.
    if (process.getuid?.() === 0) expect(statSync(file).uid).not.toBe(0);
    // The workbench's server connection is a WebSocket through Envoy under the workspace's prefix.
    expect(sockets.filter((s) => s.url.startsWith(`wss://localhost:${mesh.envoy.httpsPort}/w/${workspaceId}/`) && s.frames > 0).length).toBeGreaterThan(0);
  });

  it('Airlock AI: the gateway autocomplete shows as ghost text, Tab accepts it, the file is saved, the gateway audits it', async () => {
    const file = await newFile('ghost.txt');
    // Ends in a non-word character: no word-based suggestion widget competes with the ghost text for Tab.
    const line = `const answer = ${Date.now() % 1000};`;
    await page.keyboard.type(line);
    // The reference model's deterministic completion for the line before the cursor (apps/reference-model).
    const expected = `/* completion for: ${line} */`;
    // Ghost text: shown in the editor, not yet in the document.
    await page.locator('.editor-instance .monaco-editor [class*="ghost-text"]').filter({ hasText: expected }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+S');
    const content = await eventually('ghost.txt saved with the accepted completion', () => (readFileSync(file, 'utf8').includes(expected) ? readFileSync(file, 'utf8') : undefined), 15_000);
    expect(content.startsWith(`${line}${expected}`)).toBe(true);
    // The status bar item of the extension: ready, no error code.
    expect(await page.locator('.statusbar-item').filter({ hasText: /Airlock/ }).first().innerText()).not.toMatch(/Airlock: /);

    // The request went through the edge with this workspace's token: audited for this workspace. Requests a newer
    // keystroke aborted on the wire are audited too, as 499; the answered one is the suggestion shown.
    const audited = await auditSinkEvent(
      mesh,
      'answered ai.request for /v1/autocomplete from the workspace',
      (e) => e.event_type === 'ai.request' && e.endpoint === '/v1/autocomplete' && e.workspace_id === workspaceId && e.status_code === 200,
    );
    expect(audited).toMatchObject({ tenant_id: tenantId, user_id: 'alice' });
  });

  it('Airlock AI: "Ask about the selection" answers through /v1/chat in a read-only document', async () => {
    await page.keyboard.press('Control+A');
    await runCommand('Airlock: Ask about the selection');
    // The question box (the same quick input widget), once it holds its default question.
    await page.waitForFunction(`document.querySelector('.quick-input-widget input')?.value === 'Explain this code'`, undefined, { timeout: 10_000 });
    await page.keyboard.press('Enter');
    // The reference model repeats the question (apps/reference-model: "Reference answer from <model>. You said: ...").
    await page.locator('.editor-instance .monaco-editor .view-lines').filter({ hasText: 'Reference answer from' }).first().waitFor({ timeout: 30_000 });
    const audited = await auditSinkEvent(mesh, 'ai.request for /v1/chat from the workspace', (e) => e.event_type === 'ai.request' && e.endpoint === '/v1/chat' && e.workspace_id === workspaceId);
    expect(audited).toMatchObject({ user_id: 'alice', status_code: 200 });
  });

  it('answers 403 to another user on that URL, and 401 without a credential', async () => {
    const call = edgeCaller(mesh);
    const bob = await issueToken(mesh, { userId: 'bob', tenantId, roles: ['developer'] });
    const denied = await call(`/w/${workspaceId}/`, { token: bob });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: 'workspace_forbidden' } });
    expect((await call(`/w/${workspaceId}/`)).status).toBe(401);
    // Around Envoy, straight to the route's port: plaintext is refused, and a verified workload other than Envoy
    // (the operator's certificate) gets 403 whatever identity headers it sends.
    const url = `127.0.0.1:${mesh.services.workspace.http}/w/${workspaceId}/`;
    await expect(fetch(`http://${url}`)).rejects.toThrow();
    const asOperator = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const headers = { 'x-user-id': 'alice', 'x-tenant-id': tenantId, 'x-airlock-roles': 'developer' };
      const req = https.get(`https://${url}`, { ...operatorTls(mesh), headers, checkServerIdentity: () => undefined }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
    });
    expect(asOperator.status).toBe(403);
    expect(JSON.parse(asOperator.body)).toMatchObject({ error: { code: 'caller_not_allowed' } });
  });

  // Terminals live on the server. The loop runs in the interactive shell itself (its pid noted), so
  // the shell that comes back must be that very process, not a new one with the old text painted in.
  const tag = randomBytes(4).toString('hex');
  const termFile = (ext: string) => onDisk(`term-${tag}.${ext}`);
  const lineCount = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
  const pidIn = (file: string) => (existsSync(file) && /^\d+\n/.test(readFileSync(file, 'utf8')) ? Number(readFileSync(file, 'utf8')) : undefined);
  // Printed by the shell, never typed: the command line shows `$((6*7))`, only the output shows 42.
  const marker = `persist-42-${tag}`;
  let shellPid: number;

  /** The process of `uid` whose pid in its innermost pid namespace is `nsPid` (NSpid's last field). */
  const hostProcessOf = (nsPid: number, uid: number): { pid: number; status: string; nsPids: number[] } | undefined => {
    for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      let status: string;
      try {
        status = readFileSync(`/proc/${name}/status`, 'utf8');
      } catch {
        continue;
      }
      const nsPids = (/^NSpid:\s+(.*)$/m.exec(status)?.[1] ?? '').trim().split(/\s+/).map(Number);
      if (nsPids.at(-1) === nsPid && Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) return { pid: Number(name), status, nsPids };
    }
    return undefined;
  };

  it("the terminal: a running command keeps going, as the workspace's account, after the browser is closed", async () => {
    const rows = page.locator('.terminal-wrapper.active .xterm-rows');
    await showTerminal();
    await rows.filter({ hasText: '$' }).first().waitFor({ timeout: 30_000 }); // the prompt
    await page.keyboard.type(`echo $$ > term-${tag}.pid; echo "persist-$((6*7))-${tag}"; i=0; while :; do i=$((i+1)); echo $i >> term-${tag}.count; sleep 0.5; done`);
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: marker }).first().waitFor({ timeout: 30_000 });
    shellPid = await eventually('the shell wrote its pid', () => pidIn(termFile('pid')), 10_000);
    await eventually('the loop appending', () => (lineCount(termFile('count')) >= 2 ? true : undefined), 10_000);

    // The tab is closed (the workbench's unload handlers run), then the whole browser: no client is left.
    await closeBrowser();
    const atDrop = lineCount(termFile('count'));
    await new Promise((r) => setTimeout(r, 3_000));
    const afterPause = lineCount(termFile('count'));
    expect(afterPause).toBeGreaterThan(atDrop);
    await eventually('the loop still appending with no browser', () => (lineCount(termFile('count')) > afterPause ? true : undefined), 10_000);

    // The shell and the file it writes belong to the workspace's own account (per-user isolation when root).
    const account = statSync(path.join(mesh.workspaces.dir, workspaceId, 'home')).uid;
    // `$$` is the shell's pid in the workspace's own pid namespace (when isolated): found here by NSpid.
    const shell = hostProcessOf(shellPid, account);
    expect(shell).toBeDefined();
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(shell!.status)!;
    expect([Number(uids[1]), Number(uids[2])]).toEqual([account, account]);
    if (process.getuid?.() === 0) expect(shell!.nsPids).toHaveLength(2);
    expect(statSync(termFile('count')).uid).toBe(account);
    if (process.getuid?.() === 0) expect(account).not.toBe(0);
  });

  it('the terminal: a fresh browser logs in again, the same shell is re-attached with its output and takes new input', async () => {
    await openBrowser();
    await logIn(`/w/${workspaceId}/`);
    await workbenchReady();
    const rows = page.locator('.terminal-wrapper.active .xterm-rows');
    // The view would create a terminal if none had been re-attached: the marker shows it is the old one.
    await showTerminal();
    await rows.filter({ hasText: marker }).first().waitFor({ timeout: 30_000 });
    // Still running: Ctrl+C stops the loop, then a new command in the same shell.
    await page.keyboard.press('Control+C');
    await page.keyboard.type(`echo "back-$((6*7))-${tag}"; echo $$ > term-${tag}.after`);
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: `back-42-${tag}` }).first().waitFor({ timeout: 30_000 });
    expect(await eventually('the re-attached shell wrote its pid', () => pidIn(termFile('after')), 10_000)).toBe(shellPid);
  });
});
