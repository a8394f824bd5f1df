// Generated from apps/usage/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
    "/api/usage/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's own tokens per day and model, and the daily token budget its AI requests count in.
         * @description `days` lists, oldest first, the UTC days of the last `days` days (today included) on which the caller
         *     used tokens, one entry per model (days without usage are left out). `budget` is the daily token budget
         *     of policy's active bundle that an AI request of the caller (`POST /v1/chat/completions`) counts in; of
         *     several, the one with the least left (it stops the caller first) - its `used_tokens` are those of the
         *     budget's scope today (e.g. the whole project's), as the edge counts them. Where no daily budget applies
         *     (or this service has no `POLICY_ADDR`), `limit_tokens` and `remaining_tokens` are null and `used_tokens`
         *     is the caller's own today.
         */
        get: operations["getMyUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/usage/v1/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One project's month in the caller's tenant, per user, workspace and model. */
        get: operations["getUsageReport"];
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
    };
    responses: {
        /** @description `unauthenticated`: no valid identity assertion (the request did not come through the edge). */
        Unauthenticated: {
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
    getMyUsage: {
        parameters: {
            query?: {
                days?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's usage (`cache-control no-store`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        budget: {
                            /** @description The budget's id in the policy bundle, e.g. `tb.project.day`. */
                            id: string | null;
                            limit_tokens: number | null;
                            /** @constant */
                            period: "day";
                            remaining_tokens: number | null;
                            /** @enum {string|null} */
                            scope: "tenant" | "project" | "workspace" | "user" | null;
                            used_tokens: number;
                        };
                        days: {
                            completion_tokens: number;
                            /**
                             * Format: date
                             * @description UTC day.
                             */
                            date: string;
                            model: string;
                            prompt_tokens: number;
                        }[];
                    };
                };
            };
            /** @description `usage_invalid_days`. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `usage_budget_unavailable` (policy cannot be asked) or `usage_store_unavailable`; retryable. */
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
    getUsageReport: {
        parameters: {
            query: {
                format?: "json" | "csv";
                /** @description YYYY-MM; default the current UTC month. */
                month?: string;
                project_id: string;
                /** @description Only the caller's own tenant is accepted. */
                tenant_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (`cache-control no-store`); CSV as an attachment `usage-<project>-<month>.csv` (RFC 4180, spreadsheet formulas neutralised). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        month: string;
                        project_id: string;
                        rows: {
                            completion_tokens?: number;
                            model?: string;
                            prompt_tokens?: number;
                            requests?: number;
                            total_tokens?: number;
                            user_id?: string;
                            workspace_id?: string;
                        }[];
                        tenant_id: string;
                        totals: Record<string, never>;
                    };
                    "text/csv": string;
                };
            };
            /** @description `usage_project_required`, `usage_invalid_period` or `usage_invalid_format`. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `usage_tenant_forbidden`: another tenant named. */
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
