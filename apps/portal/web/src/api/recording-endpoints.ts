// The terminal service's recordings for auditors (apps/terminal/openapi.yaml, tag recordings). Loaded with the
// audit page's recordings panel only.
import { request, requestJson } from './client';
import type { components } from './generated/terminal';

export type TerminalRecording = components['schemas']['Recording'];

const RECORDINGS = '/api/terminal/v1/recordings';

export const listTerminalRecordings = async () => (await requestJson<{ recordings: TerminalRecording[] }>(RECORDINGS)).recordings;
/** The decrypted asciicast v2 text; the terminal service audits every fetch. */
export const fetchRecordingCast = async (sessionId: string) => (await request(`${RECORDINGS}/${encodeURIComponent(sessionId)}/cast`)).text();
