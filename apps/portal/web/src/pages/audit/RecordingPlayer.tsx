import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { Alert, Button, ConfigProvider, Modal } from 'antd';
import { useContext, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchRecordingCast, type TerminalRecording } from '../../api/recording-endpoints';
import { errorText } from '../../errors';
import { nonceStyles, withStyleNonce } from '../terminals/nonce-styles';
import { type Cast, parseCast, playbackTimes, sizeOf } from './cast-playback';

type Playback = 'loading' | 'playing' | 'done';

/** One recording played in xterm.js at its own pace (long pauses shortened); replay starts it over. */
export function RecordingPlayer({ recording, onClose }: { recording: TerminalRecording | null; onClose: () => void }) {
  const { t } = useTranslation();
  const nonce = useContext(ConfigProvider.ConfigContext).csp?.nonce ?? '';
  const host = useRef<HTMLDivElement>(null);
  const [cast, setCast] = useState<Cast | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [state, setState] = useState<Playback>('loading');
  const [round, setRound] = useState(0);

  useEffect(() => {
    setCast(null);
    setError(null);
    setState('loading');
    if (!recording) return;
    let gone = false;
    fetchRecordingCast(recording.session_id).then(
      (text) => !gone && setCast(parseCast(text)),
      (e: unknown) => !gone && setError(e),
    );
    return () => {
      gone = true;
    };
  }, [recording]);

  useEffect(() => {
    const element = host.current;
    if (!cast || !element) return;
    const stopStyles = nonceStyles(element, nonce);
    const term = new Terminal({ cols: cast.width, rows: cast.height, disableStdin: true, scrollback: 10_000, fontFamily: 'ui-monospace, "D2Coding", "Noto Sans Mono CJK KR", monospace', fontSize: 14 });
    withStyleNonce(nonce, () => term.open(element));
    const output = cast.events.filter((e) => e.code !== 'i');
    const times = playbackTimes(output);
    const play = (text: string, code: 'o' | 'i' | 'r') => {
      const size = code === 'r' ? sizeOf(text) : undefined;
      if (size) term.resize(size.cols, size.rows);
      else if (code === 'o') term.write(text);
    };
    const timers = output.map((e, i) => setTimeout(() => play(e.text, e.code), times[i] * 1000));
    setState('playing');
    timers.push(setTimeout(() => setState('done'), ((times.at(-1) ?? 0) + 0.2) * 1000));
    return () => {
      timers.forEach(clearTimeout);
      term.dispose();
      stopStyles();
    };
  }, [cast, nonce, round]);

  const keystrokes = cast?.events.filter((e) => e.code === 'i').length ?? 0;
  return (
    <Modal
      open={recording !== null}
      title={recording ? t('recordings.playerTitle', { name: recording.session_name, owner: recording.owner_user_id }) : ''}
      onCancel={onClose}
      width="min(64rem, 95vw)"
      destroyOnHidden
      scrollLock={false}
      footer={
        <div className="dialog-actions">
          <Button onClick={() => setRound((n) => n + 1)} disabled={!cast}>
            {t('recordings.replay')}
          </Button>
          <Button type="primary" onClick={onClose}>
            {t('recordings.close')}
          </Button>
        </div>
      }
    >
      {error ? <Alert type="error" showIcon role="alert" title={errorText(t, error)} /> : null}
      <p role="status" data-playback={state}>
        {state === 'loading' ? t('app.loading') : state === 'playing' ? t('recordings.playing') : t('recordings.done')}
        {cast && recording?.input_recorded ? ` ${t('recordings.keystrokes', { count: keystrokes })}` : ''}
      </p>
      <div ref={host} className="recording-screen" data-testid="recording-screen" role="region" aria-label={t('recordings.screenLabel')} />
    </Modal>
  );
}
