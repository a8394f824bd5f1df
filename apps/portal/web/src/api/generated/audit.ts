// Generated from apps/audit/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
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
             *     list fields joined with `;`; the next page's cursor in the `x-next-cursor` header.
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
            /** @description `audit_invalid_time_range`, `audit_invalid_filter` (also for an unknown parameter), `audit_invalid_limit`, `audit_invalid_cursor` or `audit_invalid_format`. */
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
