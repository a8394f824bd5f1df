/** What the status bar item shows. */
export type AirlockState =
  | { kind: 'ready' }
  | { kind: 'busy' }
  | { kind: 'off'; reason: string }
  | { kind: 'error'; code: string; message: string; correlationId: string };

export function statusView(state: AirlockState): { text: string; tooltip: string } {
  switch (state.kind) {
    case 'ready':
      return { text: '$(sparkle) Airlock', tooltip: 'Airlock AI: ready' };
    case 'busy':
      return { text: '$(loading~spin) Airlock', tooltip: 'Airlock AI: asking the gateway' };
    case 'off':
      return { text: '$(circle-slash) Airlock', tooltip: `Airlock AI: off (${state.reason})` };
    case 'error':
      return {
        text: `$(warning) Airlock: ${state.code}`,
        tooltip: `Airlock AI: ${state.message}${state.correlationId ? ` (correlation id ${state.correlationId})` : ''}`,
      };
  }
}

/** Resolves after `ms`, or at once with false when the signal aborts first (a newer keystroke). */
export function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
