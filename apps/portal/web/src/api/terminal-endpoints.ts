// The terminal API's paths and shapes (apps/terminal/openapi.yaml). Loaded with the terminals page only, like
// policy-endpoints.ts, so the first page does not carry them.
import { requestJson } from './client';
import type { components, operations } from './generated/terminal';

export type TerminalSession = components['schemas']['Session'];
export type TerminalShare = components['schemas']['Share'];
export type ShareMode = TerminalShare['mode'];
export type Ticket = operations['issueTicket']['responses'][201]['content']['application/json'];

const SESSIONS = '/api/terminal/v1/sessions';
const one = (id: string) => `${SESSIONS}/${encodeURIComponent(id)}`;

export const listTerminalSessions = async () => (await requestJson<{ sessions: TerminalSession[] }>(SESSIONS)).sessions;
export const createTerminalSession = (body: { workspace_id: string; name?: string; cols?: number; rows?: number }) => requestJson<TerminalSession>(SESSIONS, { body });
export const renameTerminalSession = (id: string, name: string) => requestJson<TerminalSession>(one(id), { method: 'PATCH', body: { name } });
export const terminateTerminalSession = (id: string) => requestJson<void>(one(id), { method: 'DELETE' });
/** A single-use ticket for one attach; asking for it is also what unlocks an idle-locked session for its owner. */
export const issueTerminalTicket = (id: string) => requestJson<Ticket>(`${one(id)}/tickets`, { method: 'POST' });
export const shareTerminalSession = (id: string, userId: string, mode: ShareMode) => requestJson<TerminalSession>(`${one(id)}/shares`, { method: 'PUT', body: { user_id: userId, mode } });
export const unshareTerminalSession = (id: string, userId: string) => requestJson<void>(`${one(id)}/shares/${encodeURIComponent(userId)}`, { method: 'DELETE' });
