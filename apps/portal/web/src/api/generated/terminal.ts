// Generated from apps/terminal/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
    "/api/terminal/v1/recordings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's tenant's kept session recordings, newest first (at most 200); auditors and security admins only. */
        get: operations["listRecordings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/terminal/v1/recordings/{id}/cast": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One recording as asciicast v2 (decrypted); every call is an audit event (`view_recording`).
         * @description The header line `{"version":2,"width","height","timestamp","title"}`, then one `[seconds, "o"|"i", text]`
         *     line per event: output, and keystrokes where the policy records input. After a restart of the service the
         *     recording goes on in the same file; what the session printed while the service was down is not in it, and
         *     the screen as it was at the restart is the next output event. A recording still being written gives what
         *     is sealed so far.
         */
        get: operations["getRecordingCast"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/terminal/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's live sessions and those shared with the caller, newest first. */
        get: operations["listSessions"];
        put?: never;
        /** Starts a shell in one of the caller's running workspaces. */
        post: operations["createSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/terminal/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One session the caller owns or is invited to. */
        get: operations["getSession"];
        put?: never;
        post?: never;
        /** Ends the session (owner only); its shell and every process in it are killed. Idempotent. */
        delete: operations["terminateSession"];
        options?: never;
        head?: never;
        /** Renames a session (owner only). */
        patch: operations["renameSession"];
        trace?: never;
    };
    "/api/terminal/v1/sessions/{id}/shares": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** The owner invites a user of the same tenant, read-only, or read-write where policy allows it. */
        put: operations["shareSession"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/terminal/v1/sessions/{id}/shares/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** The owner withdraws an invitation; the viewer's open connections are closed. */
        delete: operations["unshareSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/terminal/v1/sessions/{id}/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A single-use ticket for one WebSocket attach; unlocks an idle-locked session for its owner. */
        post: operations["issueTicket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ws/terminal/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * WebSocket upgrade: the terminal's output and input.
         * @description Needs `Upgrade: websocket`, an `Origin` from `TERMINAL_ALLOWED_ORIGINS`, and a ticket from the tickets
         *     route for this session and this caller; a refused upgrade is answered with an HTTP status and the error
         *     envelope before any WebSocket exists. Once open, the server first sends the scrollback (up to
         *     `TERMINAL_SCROLLBACK_LINES` lines) and the current screen (colours, cursor, alternate screen), then the
         *     live output, all as binary frames of terminal bytes. The client sends binary frames of keystrokes and text
         *     frames of JSON control messages: `{"type":"resize","cols":N,"rows":N}`. The server sends text frames
         *     `{"type":"error","code":...}` when input is refused (`terminal_read_only`, `terminal_locked`) and
         *     `{"type":"exit"}` when the shell ended; close code 4401 when the session was locked, 4403 when an
         *     invitation was withdrawn, 4410 when the session was terminated.
         */
        get: operations["attachSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                code: string;
                correlation_id: string | null;
                message: string;
                retryable: boolean;
            };
        };
        Recording: {
            /**
             * Format: date-time
             * @description started_at plus the retention; deleted at the first retention pass after it once ended.
             */
            delete_after: string;
            /**
             * Format: date-time
             * @description null while the session is live.
             */
            ended_at: string | null;
            /** @description Keystrokes are in it too (policy recording `output_and_input`). */
            input_recorded: boolean;
            owner_user_id: string;
            /** @description The policy version that asked for the recording. */
            policy_version: string;
            /** @description The bundle entry, e.g. `terminals.tenants.acme`. */
            rule_id: string;
            session_id: string;
            /** @description The session's name when it was created. */
            session_name: string;
            /** @description Bytes on disk (encrypted), as of the last close of the file. */
            size_bytes: number;
            /** Format: date-time */
            started_at: string;
            workspace_id: string;
        };
        Session: {
            /**
             * @description The caller's access.
             * @enum {string}
             */
            access: "owner" | "read-write" | "read-only";
            /** Format: date-time */
            created_at: string;
            id: string;
            /** Format: date-time */
            last_attached_at: string | null;
            /** @description Idle-locked: input is refused until the owner asks for a new ticket. */
            locked: boolean;
            name: string;
            owner_user_id: string;
            /**
             * @description What of the session is recorded, as policy said when it was created (shown so that nobody types unaware).
             * @enum {string}
             */
            recording: "off" | "output" | "output_and_input";
            /** @description Only shown to the owner; empty for others. */
            shares: components["schemas"]["Share"][];
            /**
             * @description attached while at least one client is connected.
             * @enum {string}
             */
            state: "attached" | "detached" | "terminated";
            workspace_id: string;
        };
        Share: {
            /** @enum {string} */
            mode: "read-only" | "read-write";
            user_id: string;
        };
    };
    responses: {
        /** @description `terminal_forbidden`: neither the owner nor invited (or, for owner-only routes, not the owner). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `terminal_session_not_found`. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `unauthenticated`: no valid identity assertion (the request did not come through the edge). */
        Unauthenticated: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `terminal_store_unavailable`, `terminal_store_auth_failed` or `terminal_pty_unavailable`. */
        Unavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listRecordings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Recordings not yet deleted by their retention (`cache-control no-store`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        recordings: components["schemas"]["Recording"][];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `terminal_forbidden`: the caller is neither an auditor nor a security admin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["Unavailable"];
        };
    };
    getRecordingCast: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The session id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording (`cache-control no-store`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-asciicast": string;
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `terminal_forbidden`: the caller is neither an auditor nor a security admin. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `terminal_recording_not_found`: none for this session in the caller's tenant, or deleted after its retention. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `terminal_recording_unavailable`: the file does not open (another key, altered) or recording is not configured. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Live (not terminated) sessions (`cache-control no-store`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: components["schemas"]["Session"][];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            503: components["responses"]["Unavailable"];
        };
    };
    createSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default 80 */
                    cols?: number;
                    /** @description Shown on the tab; default "terminal N". */
                    name?: string;
                    /** @default 24 */
                    rows?: number;
                    workspace_id: string;
                };
            };
        };
        responses: {
            /** @description The new session (attach to it with a ticket). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description `terminal_invalid_request`. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `terminal_forbidden`: not the caller's workspace. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `terminal_workspace_not_running`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `terminal_session_limit`: the caller has as many live sessions as allowed (policy `terminals.*.maxSessionsPerUser`, else `TERMINAL_MAX_SESSIONS_PER_USER`). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `terminal_policy_unavailable` (policy cannot say whether to record), `terminal_recording_unavailable` (policy wants the session recorded and the recording cannot be made: the session does not start), or the store and tmux errors. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    terminateSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Terminated. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    renameSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                };
            };
        };
        responses: {
            /** @description The renamed session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description `terminal_invalid_request`. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    shareSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    mode: "read-only" | "read-write";
                    user_id: string;
                };
            };
        };
        responses: {
            /** @description The session with its shares. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description `terminal_invalid_request`. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `terminal_forbidden` (not the owner) or `terminal_share_mode_forbidden` (read-write sharing is off). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    unshareSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Withdrawn (or there was none). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    issueTicket: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The ticket (`cache-control no-store`). It expires after `expires_in` seconds and works once. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        expires_in: number;
                        /** @enum {string} */
                        mode: "read-write" | "read-only";
                        ticket: string;
                        /** @description The path to open, ticket included: `/ws/terminal/v1/sessions/{id}?ticket=...`. */
                        url: string;
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            /** @description `terminal_session_terminated`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    attachSession: {
        parameters: {
            query: {
                ticket: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching protocols. */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `terminal_ticket_invalid`: missing, expired, already used, or for another session or caller. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `terminal_origin_forbidden`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
