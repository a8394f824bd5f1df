// Chat scanning: a conversation is scanned as one text (messages joined by a newline), so a secret split over
// two messages is seen whole by the rejoining view; each finding is then given back to the messages it covers,
// with offsets relative to each message, and each message is masked on its own.
import { strongest, type Resolved } from './matcher';
import type { Finding, RuleAction } from './types';
import { PseudonymVault } from './vault';

/** What chat scanning needs of the engine (DlpEngine provides it). */
export interface MessageScanner {
  readonly version: string;
  assertSize(length: number): void;
  detect(text: string): Resolved[];
  render(text: string, findings: Resolved[], from: number, to: number, vault: PseudonymVault): string;
  toFinding(r: Resolved, offset: number): Finding;
}

export interface MessageScan {
  /** The message as it may be sent on ('' when the conversation is blocked). */
  text: string;
  /** Findings within this message (a finding across two messages appears in both, each with its own part). */
  findings: Finding[];
}

export interface MessagesScanResult {
  action: RuleAction;
  messages: MessageScan[];
  ruleSetVersion: string;
}

export function scanMessages(engine: MessageScanner, messages: readonly string[], vault: PseudonymVault = new PseudonymVault()): MessagesScanResult {
  const joined = messages.join('\n');
  engine.assertSize(joined.length);
  const resolved = engine.detect(joined);
  const action = strongest(resolved);
  let from = 0;
  const out = messages.map((message) => {
    const to = from + message.length;
    const mine: Resolved[] = resolved
      .filter((r) => r.start < to && r.end > from)
      .map((r) => ({ ...r, start: Math.max(r.start, from), end: Math.min(r.end, to) }));
    const scan: MessageScan = {
      text: action === 'block' ? '' : engine.render(joined, mine, from, to, vault),
      findings: mine.map((r) => engine.toFinding(r, -from)),
    };
    from = to + 1;
    return scan;
  });
  return { action, messages: out, ruleSetVersion: engine.version };
}
