// Generated from apps/portal/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
    "/api/health/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every service's health and version, the active policy version, the audit lag and spool depth. */
        get: operations["getPlatformHealth"];
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
        PlatformHealth: {
            audit: {
                /** @description Audit events on the topic not yet committed by the audit consumer group. */
                consumer_lag: number | null;
                /** @description Events held in the producers' local spools (of those that export it). */
                spool_messages: number | null;
            };
            /** Format: date-time */
            checked_at: string;
            links: {
                alerts: string | null;
                /** @description `HEALTH_PROMETHEUS_URL`; null when not configured. */
                prometheus: string | null;
            };
            policy: {
                /** @description The store version policy decides with (0 - its bundle file, before the store had one); null when unknown. */
                active_version: number | null;
            };
            services: components["schemas"]["ServiceHealth"][];
            /**
             * @description `ok` when every service is serving.
             * @enum {string}
             */
            status: "ok" | "degraded";
        };
        ServiceHealth: {
            /** @description Why it is not plainly up; null when it is. */
            detail: string | null;
            /** @description Until both probes answered or timed out. */
            latency_ms: number;
            /** @example policy */
            name: string;
            /**
             * @description `serving`: gRPC health SERVING; `not_serving`: it answers otherwise; `down`: no answer in time.
             * @enum {string}
             */
            status: "serving" | "not_serving" | "down";
            /** @description Its `service.version`; null when its metrics did not answer. */
            version: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getPlatformHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The platform's health now (never cached). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlatformHealth"];
                };
            };
            /** @description `unauthenticated`: no valid identity assertion (the request did not come through the edge). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `health_role_required`: the caller holds none of `HEALTH_ROLES` (by default `sre`, `security-admin`). */
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
