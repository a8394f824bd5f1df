// Generated from apps/policy/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
    "/api/policy/v1/activations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Which version was made active when and by whom, newest first. */
        get: operations["listActivations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/assertion/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public key of the x-airlock-identity assertion (services read it on policy's own port). */
        get: operations["getAssertionJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/bundles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Published versions, newest first. */
        get: operations["listVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/bundles/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One published version with its content and its diff to the version before it. */
        get: operations["getVersion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/bundles/{version}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Activate an approved version published with `activate false` (only newer than the active one). */
        post: operations["activateVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/bundles/{version}/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Changes to this version from the one before it, or from `against`. */
        get: operations["diffVersion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/bundles/{version}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Propose going back to this version's content (a new version once a second security-admin approves). */
        post: operations["rollback"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/bundles/active": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The bundle decisions are made with on this replica. */
        get: operations["getActiveBundle"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/dlp/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Scan a text with the active version's DLP rules, or a draft's, plus extra custom rules (findings, masked text). */
        post: operations["testDlpRules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/drafts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["listDrafts"];
        put?: never;
        /** Start a draft from a version's content (default the latest) or from a whole bundle. */
        post: operations["createDraft"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/drafts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["getDraft"];
        /** Replace an open draft's content; If-Match must carry the ETag read last. */
        put: operations["updateDraft"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/drafts/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Four eyes - a security-admin who neither wrote nor proposed the draft publishes it as the next version. */
        post: operations["approveDraft"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/drafts/{id}/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["diffDraft"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/drafts/{id}/propose": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Validate the draft and submit it for approval; 400 lists every problem. */
        post: operations["proposeDraft"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/drafts/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["rejectDraft"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/openapi.yaml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document. */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/policy/v1/simulate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The decision the active bundle makes for a request context, with its reasons; no side effects. */
        post: operations["simulate"];
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
        /** @description A policy bundle (apps/policy/src/bundles/bundle.ts; strict - unknown fields are errors). `version` is assigned when a version is published. */
        Bundle: {
            backends: string[];
            defaultRule: Record<string, never>;
            description?: string;
            dlp?: Record<string, never>;
            limits?: Record<string, never>;
            /** @description Internal MCP servers the gateway proxies at /mcp/<name> (see the README: MCP servers) */
            mcpServers?: Record<string, never>[];
            modelAliases?: Record<string, never>[];
            rules: Record<string, never>[];
            /** @description Concurrent-session limits per tenant (see the README: Session limits) */
            sessions?: Record<string, never>;
            version: string;
        };
        Change: {
            after?: unknown;
            before?: unknown;
            /** @enum {string} */
            op: "added" | "removed" | "changed";
            /** @description e.g. rules[ep.chat.allow].allow.roles */
            path: string;
        };
        Decision: {
            allow?: boolean;
            highRisk?: boolean;
            modelAliases?: {
                alias?: string;
                backend?: string;
                model?: string;
            }[];
            policyVersion?: string;
            reasonCode?: string;
            route?: {
                backend?: string;
                model?: string;
            } | null;
            ruleIds?: string[];
        };
        Draft: {
            author: string;
            base_version: number;
            content: components["schemas"]["Bundle"];
            /** Format: date-time */
            created_at: string;
            decided_at?: string | null;
            decided_by?: string | null;
            decision_comment?: string | null;
            editors: string[];
            etag: string;
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "change" | "rollback";
            proposed_at?: string | null;
            proposed_by?: string | null;
            published_version?: number | null;
            reason: string;
            revision: number;
            /** @enum {string} */
            state: "open" | "proposed" | "approved" | "rejected";
            /** Format: date-time */
            updated_at: string;
            validation: {
                problems: string[];
                valid: boolean;
            };
        };
        Error: {
            error: {
                code: string;
                correlation_id: string | null;
                message: string;
                retryable: boolean;
            };
        };
        RequestContext: {
            branch?: string;
            clientIp?: string;
            correlationId?: string;
            endpoint: string;
            method?: string;
            principal?: {
                /** @enum {string} */
                kind?: "user" | "service_account";
                projectId?: string;
                roles?: string[];
                subject?: string;
                tenantId?: string;
                userId?: string;
                workspaceId?: string;
            };
            requestedModel?: string;
        };
        Version: {
            active: boolean;
            approver: string | null;
            /** @description Who proposed it. */
            author: string;
            /** Format: date-time */
            created_at: string;
            draft_id: string | null;
            number: number;
            /** @enum {string} */
            origin: "seed" | "change" | "rollback";
            previous: number | null;
            reason: string;
            /** @description The label decisions carry as policy_version. */
            version: string;
        };
    };
    responses: {
        /** @description `draft_state_conflict`, `draft_stale` (another version was published since the draft was based) or `activation_refused`. */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The draft; its revision is in `ETag`. */
        Draft: {
            headers: {
                ETag?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Draft"];
            };
        };
        /** @description The caller lacks the role. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `invalid_request` (body shape) or `invalid_bundle` (message lists every problem, "path: problem; ..."). */
        Invalid: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `policy_version_unknown` or `draft_not_found`. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `precondition_failed`: the draft changed since the ETag in If-Match. */
        PreconditionFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `precondition_required`: If-Match is missing. */
        PreconditionRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `bundle_store_not_configured` (no DATABASE_URL) or `bundle_store_unavailable`. */
        StoreUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No verified caller identity (no valid `x-airlock-identity`, i.e. not through the edge). */
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
        DraftId: string;
        /** @description The draft's ETag as last read (e.g. `"3"`). */
        IfMatch: string;
        VersionNumber: number;
        /** @description Version number (`4`) or label (`2026.11.21-4`). */
        VersionRef: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listActivations: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Activations. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activations: {
                            /** Format: date-time */
                            activated_at: string;
                            activated_by: string;
                            number: number;
                            version: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
        };
    };
    getAssertionJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JWKS. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    listVersions: {
        parameters: {
            query?: {
                /** @description Only versions with a smaller number (paging). */
                before?: number;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Versions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        versions: components["schemas"]["Version"][];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    getVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Version number (`4`) or label (`2026.11.21-4`). */
                version: components["parameters"]["VersionRef"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The version. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Version"] & {
                        content: components["schemas"]["Bundle"];
                        diff: components["schemas"]["Change"][];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    activateVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                version: components["parameters"]["VersionNumber"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Now active. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Version"];
                };
            };
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    diffVersion: {
        parameters: {
            query?: {
                against?: number;
            };
            header?: never;
            path: {
                version: components["parameters"]["VersionNumber"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The changes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        changes: components["schemas"]["Change"][];
                        from: number | null;
                        to: number;
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    rollback: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                version: components["parameters"]["VersionNumber"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            201: components["responses"]["Draft"];
            400: components["responses"]["Invalid"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getActiveBundle: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The active bundle. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Bundle"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
        };
    };
    testDlpRules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @default inbound
                     * @enum {string}
                     */
                    direction?: "inbound" | "outbound";
                    /**
                     * Format: uuid
                     * @description Test this draft's DLP section as last saved instead of the active version's (absent section: the built-in pack as it is).
                     */
                    draft_id?: string;
                    /** @description Custom rules added to the rule set tested. */
                    rules?: Record<string, never>[];
                    text: string;
                };
            };
        };
        responses: {
            /** @description The scan report (the shape `tools/airlock dlp scan --json` prints), `policy_version` (the active one) and the `draft_id` tested, if any. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        action: "allow" | "mask" | "block" | "pseudonymize";
                        draft_id?: string;
                        findings: {
                            /** @enum {string} */
                            category: "secret" | "pii" | "classification";
                            end: number;
                            ruleId: string;
                            /** @description UTF-16 offset into the text. */
                            start: number;
                        }[];
                        policy_version: string;
                        /** @description The text as the action leaves it ('' when blocked). */
                        text: string;
                    };
                };
            };
            /** @description `invalid_request`, or `invalid_dlp_rules` (the rules tested do not compile or their examples misbehave; every problem listed). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            404: components["responses"]["NotFound"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    listDrafts: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Comma list of open, proposed, approved, rejected. */
                state?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Drafts, most recently changed first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        drafts: components["schemas"]["Draft"][];
                    };
                };
            };
            400: components["responses"]["Invalid"];
        };
    };
    createDraft: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    content?: components["schemas"]["Bundle"];
                    /** @description Whose content to start from (default the latest); the base is always the latest. */
                    from_version?: number;
                    reason?: string;
                };
            };
        };
        responses: {
            201: components["responses"]["Draft"];
            400: components["responses"]["Invalid"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    getDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["DraftId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Draft"];
            404: components["responses"]["NotFound"];
        };
    };
    updateDraft: {
        parameters: {
            query?: never;
            header: {
                /** @description The draft's ETag as last read (e.g. `"3"`). */
                "If-Match": components["parameters"]["IfMatch"];
            };
            path: {
                id: components["parameters"]["DraftId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    content: components["schemas"]["Bundle"];
                    reason?: string;
                };
            };
        };
        responses: {
            200: components["responses"]["Draft"];
            400: components["responses"]["Invalid"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            428: components["responses"]["PreconditionRequired"];
        };
    };
    approveDraft: {
        parameters: {
            query?: never;
            header: {
                /** @description The draft's ETag as last read (e.g. `"3"`). */
                "If-Match": components["parameters"]["IfMatch"];
            };
            path: {
                id: components["parameters"]["DraftId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default true */
                    activate?: boolean;
                    comment?: string;
                };
            };
        };
        responses: {
            /** @description Published (and active unless `activate` was false). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activated: boolean;
                        draft: components["schemas"]["Draft"];
                        version: components["schemas"]["Version"];
                    };
                };
            };
            400: components["responses"]["Invalid"];
            /** @description Not a security-admin, or `self_approval_forbidden`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            428: components["responses"]["PreconditionRequired"];
        };
    };
    diffDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["DraftId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Changes from the draft's base version. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        base_version: number;
                        changes: components["schemas"]["Change"][];
                    };
                };
            };
            404: components["responses"]["NotFound"];
        };
    };
    proposeDraft: {
        parameters: {
            query?: never;
            header: {
                /** @description The draft's ETag as last read (e.g. `"3"`). */
                "If-Match": components["parameters"]["IfMatch"];
            };
            path: {
                id: components["parameters"]["DraftId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Draft"];
            400: components["responses"]["Invalid"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            428: components["responses"]["PreconditionRequired"];
        };
    };
    rejectDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["DraftId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            200: components["responses"]["Draft"];
            409: components["responses"]["Conflict"];
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/yaml": string;
                };
            };
        };
    };
    simulate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RequestContext"];
            };
        };
        responses: {
            /** @description Decision and explanations. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        decision: components["schemas"]["Decision"];
                        explanations: string[];
                    };
                };
            };
            400: components["responses"]["Invalid"];
        };
    };
}
