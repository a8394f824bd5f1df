import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { Alert, Button, ConfigProvider } from 'antd';
import { useContext, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { issueTerminalTicket, type TerminalSession } from '../../api/terminal-endpoints';
import { StatusBadge } from '../../layout/StatusBadge';
import { type LinkState, TerminalConnection } from './connection';
import { nonceStyles, withStyleNonce } from './nonce-styles';

const REFUSAL_NOTICE_MS = 4_000;

/** One open terminal: xterm.js attached to the session over its WebSocket, with the link's state in words. */
export function TerminalView({ session, active, onDetach }: { session: TerminalSession; active: boolean; onDetach: () => void }) {
  const { t } = useTranslation();
  const nonce = useContext(ConfigProvider.ConfigContext).csp?.nonce ?? '';
  const host = useRef<HTMLDivElement>(null);
  const fit = useRef<FitAddon | null>(null);
  const connection = useRef<TerminalConnection | null>(null);
  const [link, setLink] = useState<LinkState>('connecting');
  const [locked, setLocked] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const readOnly = session.access === 'read-only';

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const stopStyles = nonceStyles(element, nonce);
    const term = new Terminal({ scrollback: 10_000, cursorBlink: true, fontFamily: 'ui-monospace, "D2Coding", "Noto Sans Mono CJK KR", monospace', fontSize: 14 });
    const fitAddon = new FitAddon();
    term.loadAddon(fitAddon);
    withStyleNonce(nonce, () => term.open(element));
    fitAddon.fit();
    fit.current = fitAddon;
    let refusalTimer: ReturnType<typeof setTimeout> | undefined;
    const conn = new TerminalConnection({
      ticket: () => issueTerminalTicket(session.id),
      size: () => ({ cols: term.cols, rows: term.rows }),
      socketOrigin: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`,
      events: {
        output: (bytes) => term.write(bytes),
        state: (state) => {
          setLink(state);
          // A fresh ticket unlocked the session (the server says so again if it did not).
          if (state === 'open') setLocked(false);
        },
        notice: (notice) => {
          if (notice.type === 'locked') setLocked(true);
          else if (notice.type === 'unlocked') setLocked(false);
          else if (notice.type === 'exit') setLink('ended');
          else {
            setRefused(notice.code);
            clearTimeout(refusalTimer);
            refusalTimer = setTimeout(() => setRefused(null), REFUSAL_NOTICE_MS);
          }
        },
      },
    });
    connection.current = conn;
    const input = term.onData((data) => conn.send(data));
    const resize = term.onResize(({ cols, rows }) => conn.resize(cols, rows));
    const observer = new ResizeObserver(() => {
      if (element.offsetParent !== null) fitAddon.fit();
    });
    observer.observe(element);
    conn.start();
    return () => {
      clearTimeout(refusalTimer);
      observer.disconnect();
      input.dispose();
      resize.dispose();
      conn.stop();
      term.dispose();
      stopStyles();
      connection.current = null;
      fit.current = null;
    };
  }, [session.id, readOnly, nonce]);

  // A tab shown again may have a new size (the window changed while it was hidden).
  useEffect(() => {
    if (active) fit.current?.fit();
  }, [active]);

  return (
    <div className="terminal-view" data-link={link}>
      <div className="terminal-status">
        <Button size="small" onClick={onDetach}>
          {t('terminals.detach')}
        </Button>
        {readOnly && (
          <StatusBadge tone="neutral" testId="terminal-read-only">
            {t('terminals.readOnly')}
          </StatusBadge>
        )}
        {link === 'reconnecting' && (
          <div role="status" className="terminal-banner" data-testid="terminal-reconnecting">
            {t('terminals.reconnecting')}
          </div>
        )}
        {link === 'ended' && <Alert type="info" showIcon title={t('terminals.ended')} />}
        {link === 'revoked' && <Alert type="warning" showIcon title={t('terminals.revoked')} />}
        {refused && (
          <div role="status" className="terminal-banner" data-testid="terminal-refused">
            {t(`terminals.refused.${refused === 'terminal_read_only' ? 'readOnly' : refused === 'terminal_locked' ? 'locked' : 'other'}`)}
          </div>
        )}
      </div>
      {locked && !readOnly && (
        <Alert
          type="warning"
          showIcon
          data-testid="terminal-locked"
          title={t('terminals.lockedTitle')}
          description={t('terminals.lockedBody')}
          action={
            <Button type="primary" onClick={() => connection.current?.reconnectNow()}>
              {t('terminals.unlock')}
            </Button>
          }
        />
      )}
      <div className="terminal-host" ref={host} data-testid={`terminal-${session.id}`} aria-label={t('terminals.terminalLabel', { name: session.name })} role="group" />
    </div>
  );
}
