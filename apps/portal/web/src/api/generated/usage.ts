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
    "/api/usage/v1/reports/anomalies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project-hours the anomaly signal flagged within a range of UTC days, newest first (at most 500). */
        get: operations["listUsageAnomalies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/usage/v1/reports/budgets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's and its projects' token budgets from policy's active bundle, with what is used and left now.
         * @description The budgets an AI request (`POST /v1/chat/completions`) in each project would count in, as policy's
         *     `GetTokenBudgets` selects them: tenant- and project-scoped ones (per-user and per-workspace budgets are a
         *     person's own, shown by `/me`). Projects: `project_id`, a project administrator's own, or those with usage
         *     this UTC month (at most 200). Used and remaining come from this service's CheckQuota, the numbers the edge
         *     enforces. Without `POLICY_ADDR`, `configured` is false and the list empty. Same readers as the series.
         */
        get: operations["getBudgetStanding"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/usage/v1/reports/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Usage of the caller's tenant per UTC day or month over a range of days, grouped by project, user, model, workspace or tenant.
         * @description FinOps, security administrators and auditors read every project of their tenant (or one, with `project_id`);
         *     a project administrator reads only the project their credential is scoped to (403
         *     `usage_project_forbidden` for another, or without one); any other role gets 403 `usage_reports_forbidden`.
         *     Rows are ordered by period, then by group (bytewise). `cost_units` is prompt and completion tokens priced
         *     per model by the service's `USAGE_COST_UNITS` (units per million tokens), null when none are configured.
         */
        get: operations["getUsageSeries"];
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
        UsageCounts: {
            completion_tokens: number;
            /** @description Null when no cost units are configured. */
            cost_units: number | null;
            prompt_tokens: number;
            requests: number;
            total_tokens: number;
        };
    };
    responses: {
        /** @description `usage_tenant_forbidden` (another tenant named), `usage_project_forbidden` (a project administrator asking about another project, or scoped to none) or `usage_reports_forbidden` (no report role). */
        ReportForbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `usage_store_unavailable` (retryable) or `usage_store_auth_failed`. */
        StoreUnavailable: {
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
    };
    parameters: {
        /** @description First UTC day `YYYY-MM-DD` (default 29 days before `to`). */
        From: string;
        /** @description One project of the tenant; absent - every project the caller may read. */
        ProjectId: string;
        /** @description Only the caller's own tenant is accepted (403 `usage_tenant_forbidden`). */
        TenantId: string;
        /** @description Last UTC day `YYYY-MM-DD`, inclusive (default today); at most 366 days after `from`. */
        To: string;
    };
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
    listUsageAnomalies: {
        parameters: {
            query?: {
                /** @description First UTC day `YYYY-MM-DD` (default 29 days before `to`). */
                from?: components["parameters"]["From"];
                /** @description One project of the tenant; absent - every project the caller may read. */
                project_id?: components["parameters"]["ProjectId"];
                /** @description Only the caller's own tenant is accepted (403 `usage_tenant_forbidden`). */
                tenant_id?: components["parameters"]["TenantId"];
                /** @description Last UTC day `YYYY-MM-DD`, inclusive (default today); at most 366 days after `from`. */
                to?: components["parameters"]["To"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The anomalies (`cache-control no-store`); `truncated` when there were more than 500. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        anomalies: {
                            /** @description Median tokens of the project's earlier active hours. */
                            baseline_tokens: number;
                            current_tokens: number;
                            /** Format: date-time */
                            detected_at: string;
                            /**
                             * Format: date-time
                             * @description The UTC hour's first instant.
                             */
                            hour: string;
                            project_id: string;
                            ratio: number;
                        }[];
                        truncated: boolean;
                    };
                };
            };
            /** @description `usage_invalid_range`. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["ReportForbidden"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    getBudgetStanding: {
        parameters: {
            query?: {
                /** @description One project of the tenant; absent - every project the caller may read. */
                project_id?: components["parameters"]["ProjectId"];
                /** @description Only the caller's own tenant is accepted (403 `usage_tenant_forbidden`). */
                tenant_id?: components["parameters"]["TenantId"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The budgets (`cache-control no-store`), the tenant's first, then by project. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        budgets: {
                            /** @description The budget's id in the policy bundle, e.g. `tb.project.day`. */
                            id: string;
                            limit_tokens: number;
                            /** @enum {string} */
                            period: "day" | "month";
                            remaining_tokens: number;
                            /** Format: date-time */
                            resets_at: string;
                            /** @enum {string} */
                            scope: "tenant" | "project";
                            scope_id: string;
                            used_tokens: number;
                        }[];
                        configured: boolean;
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["ReportForbidden"];
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
    getUsageSeries: {
        parameters: {
            query?: {
                format?: "json" | "csv";
                /** @description First UTC day `YYYY-MM-DD` (default 29 days before `to`). */
                from?: components["parameters"]["From"];
                group_by?: "project" | "user" | "model" | "workspace" | "tenant";
                interval?: "day" | "month";
                /** @description One project of the tenant; absent - every project the caller may read. */
                project_id?: components["parameters"]["ProjectId"];
                /** @description Only the caller's own tenant is accepted (403 `usage_tenant_forbidden`). */
                tenant_id?: components["parameters"]["TenantId"];
                /** @description Last UTC day `YYYY-MM-DD`, inclusive (default today); at most 366 days after `from`. */
                to?: components["parameters"]["To"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description The series (`cache-control no-store`). CSV as an attachment `usage-<group_by>-<from>-<to>.csv` (RFC 4180,
             *     spreadsheet formulas neutralised): header `tenant_id,period,<project_id|user_id|model|workspace_id>,requests,prompt_tokens,completion_tokens,total_tokens,cost_units`
             *     (no group column when grouped by tenant), one record per row, `cost_units` empty when not configured.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cost_configured: boolean;
                        /** Format: date */
                        from: string;
                        /** @enum {string} */
                        group_by: "project" | "user" | "model" | "workspace" | "tenant";
                        /** @enum {string} */
                        interval: "day" | "month";
                        /** @description The one project the series covers; null for the whole tenant. */
                        project_id: string | null;
                        rows: ({
                            /** @description The group's id ('' = none */
                            key: string;
                            /** @description `YYYY-MM-DD` or `YYYY-MM` (UTC). */
                            period: string;
                        } & components["schemas"]["UsageCounts"])[];
                        tenant_id: string;
                        /** Format: date */
                        to: string;
                        totals: components["schemas"]["UsageCounts"];
                    };
                    "text/csv": string;
                };
            };
            /** @description `usage_invalid_range` (not days, backwards, more than 366 days), `usage_invalid_choice` (`interval`, `group_by`), `usage_invalid_format`, `usage_report_too_large` (more than 20 000 rows). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["ReportForbidden"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
}
