// The VS Code glue: everything that decides what is sent and how answers are read lives in plain modules
// (gateway, window, settings, status) tested without VS Code.
import * as vscode from 'vscode';
import { GatewayClient, GatewayError } from './gateway';
import { readSettings, settingsProblem, type AirlockSettings } from './settings';
import { delay, statusView, type AirlockState } from './status';
import { DEFAULT_LIMITS, boundedSelection, completionWindow, worthCompleting } from './window';

const DEBOUNCE_MS = 150;
const ANSWER_SCHEME = 'airlock-answer';

function currentSettings(): AirlockSettings {
  const config = vscode.workspace.getConfiguration('airlock');
  // User (global) values only: see UserSetting.
  return readSettings((key) => {
    const inspected = config.inspect(key);
    return inspected?.globalValue ?? inspected?.defaultValue;
  });
}

export function activate(context: vscode.ExtensionContext): void {
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const log = vscode.window.createOutputChannel('Airlock AI', { log: true });
  const status = vscode.window.createStatusBarItem('airlock.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Airlock AI';
  status.command = 'airlock.showLog';
  const client = new GatewayClient(currentSettings, `airlock-ai/${version} vscode/${vscode.version}`);
  const answers = new Map<string, string>();
  let answerCount = 0;

  const show = (state: AirlockState) => {
    const view = statusView(state);
    status.text = view.text;
    status.tooltip = view.tooltip;
    status.backgroundColor = state.kind === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    status.show();
  };
  const idle = () => {
    const problem = settingsProblem(currentSettings());
    show(problem ? { kind: 'off', reason: problem } : { kind: 'ready' });
  };
  // Only endpoint, outcome, code and correlation id: never the token, the prompt or the answer.
  const failed = (what: string, error: unknown) => {
    const e = error instanceof GatewayError ? error : new GatewayError('internal', 'unexpected failure');
    if (e.code === 'cancelled') return;
    log.warn(`${what}: ${e.code}${e.status ? ` (HTTP ${e.status})` : ''}${e.correlationId ? ` correlation_id=${e.correlationId}` : ''}`);
    show({ kind: 'error', code: e.code, message: e.message, correlationId: e.correlationId });
  };

  const provider: vscode.InlineCompletionItemProvider = {
    async provideInlineCompletionItems(document, position, _context, token) {
      const settings = currentSettings();
      if (!settings.inlineCompletion || settingsProblem(settings)) return undefined;
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        // Typing cancels the previous call: only a pause in typing reaches the gateway.
        if (!(await delay(DEBOUNCE_MS, abort.signal))) return undefined;
        const offset = document.offsetAt(position);
        const before = document.getText(new vscode.Range(document.positionAt(Math.max(0, offset - DEFAULT_LIMITS.maxPrefixChars - 500)), position));
        const after = document.getText(new vscode.Range(position, document.positionAt(offset + DEFAULT_LIMITS.maxSuffixChars + 500)));
        const window = completionWindow(before, after);
        if (!worthCompleting(window.prefix)) return undefined;
        show({ kind: 'busy' });
        const started = Date.now();
        // A newer keystroke aborts the request on the wire too: the gateway then stops forwarding it.
        const { value, correlationId } = await client.autocomplete({ ...window, language: document.languageId }, abort.signal);
        log.debug(`autocomplete: ok in ${Date.now() - started} ms correlation_id=${correlationId}`);
        show({ kind: 'ready' });
        if (!value.text) return undefined;
        return [new vscode.InlineCompletionItem(value.text, new vscode.Range(position, position))];
      } catch (error) {
        if (abort.signal.aborted) {
          idle();
          return undefined;
        }
        failed('autocomplete', error);
        return undefined;
      } finally {
        cancel.dispose();
      }
    },
  };

  const askSelection = async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage('Airlock: select some code first.');
      return;
    }
    const question = await vscode.window.showInputBox({ title: 'Airlock: Ask about the selection', prompt: 'Your question', value: 'Explain this code' });
    if (question === undefined || question.trim() === '') return;
    const selection = boundedSelection(editor.document.getText(editor.selection));
    const language = editor.document.languageId;
    show({ kind: 'busy' });
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Airlock is answering…', cancellable: true }, async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const { value, correlationId } = await client.chat(question, selection.text, language, abort.signal);
        log.info(`chat: ok correlation_id=${correlationId}`);
        show({ kind: 'ready' });
        answerCount += 1;
        const uri = vscode.Uri.from({ scheme: ANSWER_SCHEME, path: `/Answer ${answerCount}.md` });
        const note = selection.truncated ? '\n\n_(Only the first part of the selection was sent.)_' : '';
        answers.set(uri.toString(), `# ${question.trim()}\n\n${value.content}${note}\n`);
        const document = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(document, 'markdown');
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
      } catch (error) {
        if (abort.signal.aborted) return idle();
        failed('chat', error);
        const e = error instanceof GatewayError ? error : undefined;
        void vscode.window.showErrorMessage(`Airlock: ${e ? `${e.code}: ${e.message}` : 'the question failed'}`);
      } finally {
        cancel.dispose();
      }
    });
  };

  context.subscriptions.push(
    log,
    status,
    vscode.languages.registerInlineCompletionItemProvider([{ scheme: 'file' }, { scheme: 'untitled' }], provider),
    // Answers are read-only documents of their own scheme: nothing to save, nothing written to disk.
    vscode.workspace.registerTextDocumentContentProvider(ANSWER_SCHEME, { provideTextDocumentContent: (uri) => answers.get(uri.toString()) ?? '' }),
    vscode.commands.registerCommand('airlock.askSelection', askSelection),
    vscode.commands.registerCommand('airlock.showLog', () => log.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('airlock')) idle();
    }),
  );
  idle();
  log.info(`Airlock AI ${version} active`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
