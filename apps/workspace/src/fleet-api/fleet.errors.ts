import { AppError, GrpcStatus } from '@airlock/runtime';

// The fleet API's own refusal; everything else keeps the registry's codes (workspace_not_found, workspace_invalid_transition).

/** The caller holds none of WORKSPACE_FLEET_ROLES: the fleet is for the tenant's operators only. */
export class FleetRoleRequiredError extends AppError {
  constructor(roles: readonly string[]) {
    super('fleet_role_required', `the tenant's workspace fleet is for holders of one of the roles ${roles.join(', ')}`, {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}
