import { AppError, GrpcStatus } from '@airlock/runtime';

/** The caller holds none of HEALTH_ROLES: the platform's health is for its operators. */
export class HealthRoleRequiredError extends AppError {
  constructor(roles: readonly string[]) {
    super('health_role_required', `the platform's health is for holders of one of the roles ${roles.join(', ')}`, {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}
