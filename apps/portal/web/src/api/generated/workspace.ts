// Generated from apps/workspace/openapi.yaml by `pnpm gen` (apps/portal/scripts/gen-api-types.mjs). Do not edit.
export interface paths {
    "/api/workspace/admin/v1/workspaces": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every live (not deleted) workspace of the caller's tenant, whoever owns it, oldest first.
         * @description For the tenant's operators (a role in `WORKSPACE_FLEET_ROLES`, by default `sre` and `security-admin`):
         *     the portal's fleet page. Everyone else gets 403 `fleet_role_required` (the edge's policy already keeps the
         *     prefix to those roles).
         */
        get: operations["listFleet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/admin/v1/workspaces/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Desired `deleted` for any workspace of the tenant; audited with the operator as actor. */
        delete: operations["deleteFleetWorkspace"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/admin/v1/workspaces/{id}/restart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** One replacement of the instance of any workspace of the tenant; audited with the operator as actor. */
        post: operations["restartFleetWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/admin/v1/workspaces/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Desired `running` for any workspace of the tenant. */
        post: operations["startFleetWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/admin/v1/workspaces/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Desired `stopped` for any workspace of the tenant; audited with the operator as actor. */
        post: operations["stopFleetWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/v1/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the caller may create now - projects, images, sizes with whether its quotas admit each. */
        get: operations["workspaceOptions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/v1/workspaces": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's own live (not deleted) workspaces, newest first. */
        get: operations["listMyWorkspaces"];
        put?: never;
        /**
         * A workspace of the caller's, in one of its projects, of a named size.
         * @description One live workspace per user and project (409 `workspace_exists`). The size must fit the caller's quotas
         *     and the project's (409 `quota_exceeded`, message in the quota's own words, e.g. `quota user.cpu_millis
         *     exceeded: user alice would hold 6000 millicores (limit 4000)`). Without `channel` the catalogue picks the
         *     image (the canary for the canary share of users).
         */
        post: operations["createWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/v1/workspaces/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        /** One workspace, deleted ones included, with an ETag. */
        get: operations["getWorkspace"];
        put?: never;
        post?: never;
        /** Delete (desired `deleted`); frees the slot and quota at once, the reconciler removes the rest. */
        delete: operations["deleteWorkspace"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/v1/workspaces/{id}/restart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Desired `running` and one replacement of the instance. */
        post: operations["restartWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/v1/workspaces/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Desired `running`; starting a running workspace changes nothing. */
        post: operations["startWorkspace"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workspace/v1/workspaces/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Desired `stopped` - the instance goes, the home volume stays. */
        post: operations["stopWorkspace"];
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
        /**
         * @description small 1000 millicores / 2048 MiB / 10 GiB, medium 2000 / 4096 / 20, large 4000 / 8192 / 50.
         * @enum {string}
         */
        SizeId: "small" | "medium" | "large";
        /** @enum {string} */
        State: "requested" | "provisioning" | "running" | "stopped" | "deleting" | "failed" | "deleted";
        Workspace: {
            /** Format: date-time */
            created_at: string;
            /** @description `running`, `stopped` or `deleted`. */
            desired_state: components["schemas"]["State"];
            /** @description What the driver said last (e.g. why it failed). */
            detail: string | null;
            /** @example ws_abcdefghij0123456789 */
            id: string;
            image: string;
            owner_user_id: string;
            project_id: string;
            resources: {
                cpu_millis: number;
                disk_gib: number;
                memory_mib: number;
            };
            /** @description null for resources that are no named size (made over gRPC). */
            size: components["schemas"]["SizeId"] | null;
            state: components["schemas"]["State"];
            /** @description true when the workspace last started without the driver's isolation (local driver without a pid namespace and egress firewall, allowed only by the development setting WORKSPACE_LOCAL_ALLOW_UNISOLATED): code in it can reach services of its host. The portal shows a badge. */
            unisolated: boolean;
            /** Format: date-time */
            updated_at: string;
            /** @description The browser IDE, `/w/<id>/`. */
            url: string;
        };
    };
    responses: {
        /** @description The workspace after the change (the reconciler converges in the background). */
        Changed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Workspace"];
            };
        };
        /** @description `fleet_role_required`: the caller holds none of `WORKSPACE_FLEET_ROLES`. */
        FleetRoleRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `invalid_request`: the message names the field. */
        InvalidRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `workspace_invalid_transition`: e.g. starting a deleted workspace. */
        InvalidTransition: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `workspace_not_found`: unknown id, or another tenant's workspace. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `not_workspace_owner`: another user's workspace, and the caller is no tenant administrator. */
        NotOwner: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `workspace_store_unavailable` (retryable); on create and options also `identity_unavailable` (retryable), when identity does not say which projects a person in several belongs to. */
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
        WorkspaceId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listFleet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant's workspaces. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        workspaces: components["schemas"]["Workspace"][];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["FleetRoleRequired"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    deleteFleetWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["FleetRoleRequired"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
    restartFleetWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["FleetRoleRequired"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
    startFleetWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["FleetRoleRequired"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
    stopFleetWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["FleetRoleRequired"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
    workspaceOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Options. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        images: {
                            /** @enum {string} */
                            channel: "current" | "canary";
                            /** @example workspace-base:2026.11.21-build1 */
                            image: string;
                        }[];
                        /**
                         * @description Where the caller may create workspaces: the project its credential is scoped to; for a browser
                         *     session of a person in several projects (scoped to none), every project their latest sign-in
                         *     named; none for a bearer token scoped to none. Sizes are judged against the first one's quota.
                         */
                        projects: string[];
                        sizes: {
                            /** @description The caller's quotas (its own */
                            allowed: boolean;
                            cpu_millis: number;
                            disk_gib: number;
                            id: components["schemas"]["SizeId"];
                            memory_mib: number;
                            /** @description Why not, in the quota's own words; null when allowed. */
                            reason: string | null;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    listMyWorkspaces: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Workspaces. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        workspaces: components["schemas"]["Workspace"][];
                    };
                };
            };
            401: components["responses"]["Unauthenticated"];
            503: components["responses"]["StoreUnavailable"];
        };
    };
    createWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    channel?: "current" | "canary";
                    /** @example payments */
                    project_id: string;
                    size: components["schemas"]["SizeId"];
                };
            };
        };
        responses: {
            /** @description Registered; the reconciler provisions it. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            400: components["responses"]["InvalidRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `project_not_allowed`: not one of the caller's projects. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `quota_exceeded` (the quota's message) or `workspace_exists`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["StoreUnavailable"];
        };
    };
    getWorkspace: {
        parameters: {
            query?: never;
            header?: {
                "If-None-Match"?: string;
            };
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The workspace (`cache-control private, no-cache`). */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            /** @description Unchanged since the ETag given in If-None-Match. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["NotOwner"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["NotOwner"];
            404: components["responses"]["NotFound"];
        };
    };
    restartWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["NotOwner"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
    startWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["NotOwner"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
    stopWorkspace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["WorkspaceId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Changed"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["NotOwner"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["InvalidTransition"];
        };
    };
}
