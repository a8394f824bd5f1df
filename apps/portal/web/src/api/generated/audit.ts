// Generated from apps/audit/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
    "/api/audit/v1/chains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every partition's hash chain, its newest signed digest and the latest verification of the trail.
         * @description The heads are this instance's (the last record written to the sinks). The verification is the verifier of `airlock audit verify` (hash chains and signed digests) over this instance's jsonl sink, run in the background at most once per `AUDIT_CHAIN_VERIFY_INTERVAL_MS` when this is read: the answer carries the latest result and `running` while a newer one is computed.
         */
        get: operations["getChainStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One page of the tenant's audit events in a time range, oldest first, narrowed by the filters given.
         * @description Filters are exact matches and combine with AND. Paging is by an opaque cursor on (event time, event id):
         *     pass `next_cursor` as `cursor` with the same filters for the next page; it is null on the last page.
         */
        get: operations["searchAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One event of the tenant with every field and its link in its partition's hash chain, checked. */
        get: operations["getAuditEvent"];
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
        /** @description The record as the SIEM sinks got it - the proto's field names, every field present - with its `chain` link. */
        AuditRecord: {
            chain: Record<string, never>;
            correlation_id: string;
            dlp_action?: string;
            endpoint?: string;
            event_id: string;
            event_type: string;
            outcome?: string;
            policy_version?: string;
            project_id?: string;
            tenant_id: string;
            /** Format: date-time */
            timestamp: string;
            user_id?: string;
            workspace_id?: string;
        } & {
            [key: string]: unknown;
        };
        Error: {
            error: {
                code: string;
                correlation_id: string | null;
                message: string;
                retryable: boolean;
            };
        };
    };
    responses: {
        /** @description `audit_forbidden`: the caller is neither an auditor nor a security administrator. */
        Forbidden: {
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
        /** @description `audit_index_unavailable` (retryable), `audit_index_auth_failed` or `audit_read_not_recorded` (retryable). */
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
    getChainStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The status (`cache-control no-store`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        chains: {
                            hash: string;
                            /** @description The chain: `topic/partition`. */
                            id: string;
                            /** @description What the verification found on this chain (it stops at the first problem). */
                            problem: null | {
                                /** @enum {string} */
                                kind: "modified" | "gap" | "reorder" | "deleted_tail" | "bad_signature" | "digest_mismatch" | "malformed_line";
                                line: number;
                                message: string;
                            };
                            /** @description The head's seq. */
                            seq: number;
                            /** @description The head in the newest signed digest. */
                            signed_seq: number | null;
                            /** @description How far the latest verification walked this chain. */
                            verified_seq: number | null;
                        }[];
                        digests: {
                            enabled: boolean;
                            /** Format: date-time */
                            latest_at: string | null;
                        };
                        verification: {
                            /** Format: date-time */
                            checked_at: string | null;
                            records: number | null;
                            running: boolean;
                            /** @enum {string} */
                            state: "ok" | "problem" | "never" | "unavailable" | "too_large" | "failed";
                        };
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    searchAuditEvents: {
        parameters: {
            query: {
                correlation_id?: string;
                /** @description A `next_cursor` of an earlier page. */
                cursor?: string;
                dlp_action?: string;
                endpoint?: string;
                event_type?: string;
                /** @description `csv` for a download; without it, `Accept: text/csv` asks for CSV too. */
                format?: "json" | "csv";
                /** @description Start, inclusive (RFC 3339 with an offset). */
                from: string;
                limit?: number;
                outcome?: string;
                policy_version?: string;
                project_id?: string;
                /** @description End, exclusive; at most 31 days after `from`. */
                to: string;
                user_id?: string;
                workspace_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description The page (`cache-control no-store`). CSV: an attachment `audit-events.csv` (RFC 4180, CRLF, spreadsheet
             *     formulas neutralised), every record field in proto order then `chain_id`, `chain_seq`, `chain_hash`,
             *     list fields joined with `;`. With `limit` or `cursor` the CSV is one page and the next page's cursor is
             *     in the `x-next-cursor` header; without both it is the whole search (an export), streamed, at most
             *     `AUDIT_EXPORT_MAX_ROWS` events (a larger search is refused before anything is sent).
             */
            200: {
                headers: {
                    /** @description CSV only: the next page's cursor (absent on the last page). */
                    "x-next-cursor"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: components["schemas"]["AuditRecord"][];
                        next_cursor: string | null;
                    };
                    "text/csv": string;
                };
            };
            /** @description `audit_invalid_time_range`, `audit_invalid_filter` (also for an unknown parameter), `audit_invalid_limit`, `audit_invalid_cursor`, `audit_invalid_format` or `audit_export_too_large` (a whole-search CSV over `AUDIT_EXPORT_MAX_ROWS`). */
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
            503: components["responses"]["Unavailable"];
        };
    };
    getAuditEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The event id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event (`cache-control no-store`). `chain.verified` is whether the event's hash matches every one of its fields as indexed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        chain: {
                            hash: string;
                            /** @description The chain: `topic/partition`. */
                            id: string;
                            prev_hash: string;
                            seq: number;
                            verified: boolean;
                        };
                        event: components["schemas"]["AuditRecord"];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            /** @description `audit_event_not_found`: no such event in the caller's tenant. */
            404: {
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
}
