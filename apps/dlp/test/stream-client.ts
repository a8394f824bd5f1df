import { airlock } from '@airlock/contracts';

type Req = airlock.dlp.v1.ScanStreamRequest;
type Res = airlock.dlp.v1.ScanStreamResponse;

export interface StreamOutcome {
  responses: Res[];
  error?: { code: number; details: string; metadata: { get(k: string): unknown[] } };
}

/** Runs one ScanStream call: writes every message, half-closes, collects responses until the status. */
export function scanStream(client: airlock.dlp.v1.DlpServiceClient, messages: Req[]): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const call = client.scanStream();
    const responses: Res[] = [];
    call.on('data', (r: Res) => responses.push(r));
    call.on('error', (error: StreamOutcome['error']) => resolve({ responses, error }));
    call.on('end', () => resolve({ responses }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

export const start = (over: Partial<airlock.dlp.v1.ScanStreamStart> = {}): Req => ({
  start: { direction: airlock.dlp.v1.Direction.DIRECTION_OUTBOUND, correlationId: 'corr-00000002', policyVersion: '', restore: undefined, ...over },
});
export const chunks = (text: string, size: number): Req[] =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => ({ chunk: text.slice(i * size, (i + 1) * size) }));
export const END: Req = { end: {} };
