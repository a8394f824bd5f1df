// The shapes of the APIs the portal calls through the edge (identity /me and tokens, the workspace owner API,
// usage /me, the audit search, the Policy API), taken from the services' OpenAPI documents (generated/, by `pnpm gen`): when a service changes
// what it promises, the portal stops compiling instead of drifting.
import type { operations as AuditOperations } from './generated/audit';
import type { components as IdentityComponents, operations as IdentityOperations } from './generated/identity';
import type { components as PolicyComponents, operations as PolicyOperations } from './generated/policy';
import type { operations as UsageOperations } from './generated/usage';
import type { components as WorkspaceComponents, operations as WorkspaceOperations } from './generated/workspace';

/** The JSON body of one response of an operation. */
type JsonBody<Response> = Response extends { content: { 'application/json': infer Body } } ? Body : never;

export type Me = JsonBody<IdentityOperations['getMe']['responses'][200]>;

export type WorkspaceState = WorkspaceComponents['schemas']['State'];
// A record, so the compiler insists on exactly the API's states: none missing, none made up.
const EVERY_STATE: Record<WorkspaceState, true> = { requested: true, provisioning: true, running: true, stopped: true, deleting: true, failed: true, deleted: true };
/** Every state, in lifecycle order. */
export const WORKSPACE_STATES = Object.keys(EVERY_STATE) as WorkspaceState[];
export type SizeId = WorkspaceComponents['schemas']['SizeId'];
export type Workspace = WorkspaceComponents['schemas']['Workspace'];

export type WorkspaceOptions = JsonBody<WorkspaceOperations['workspaceOptions']['responses'][200]>;
export type SizeOption = WorkspaceOptions['sizes'][number];

export type WorkspaceAction = 'start' | 'stop' | 'restart' | 'delete';

export type ApiToken = IdentityComponents['schemas']['Token'];
/** The create answer: the token's value appears here once and is never shown again. */
export type CreatedToken = JsonBody<IdentityOperations['createToken']['responses'][201]>;

export type MyUsage = JsonBody<UsageOperations['getMyUsage']['responses'][200]>;
export type UsageDay = MyUsage['days'][number];

export type AuditPage = JsonBody<AuditOperations['searchAuditEvents']['responses'][200]>;
export type AuditEvent = AuditPage['events'][number];
export type AuditEventDetail = JsonBody<AuditOperations['getAuditEvent']['responses'][200]>;
export type ChainStatus = JsonBody<AuditOperations['getChainStatus']['responses'][200]>;
/** The search's filters: the API's query parameters but the cursor, the page size and the format. */
export type AuditFilter = Omit<NonNullable<AuditOperations['searchAuditEvents']['parameters']['query']>, 'cursor' | 'limit' | 'format'>;

export type PolicyVersion = PolicyComponents['schemas']['Version'];
export type PolicyChange = PolicyComponents['schemas']['Change'];
export type PolicyDraft = PolicyComponents['schemas']['Draft'];
export type PolicyDraftState = PolicyDraft['state'];
export type PolicyActivation = JsonBody<PolicyOperations['listActivations']['responses'][200]>['activations'][number];
export type PolicyDraftDiff = JsonBody<PolicyOperations['diffDraft']['responses'][200]>;
export type PolicyVersionDiff = JsonBody<PolicyOperations['diffVersion']['responses'][200]>;
export type PolicyApproval = JsonBody<PolicyOperations['approveDraft']['responses'][200]>;
export type DlpTestReport = JsonBody<PolicyOperations['testDlpRules']['responses'][200]>;
export type DlpFinding = DlpTestReport['findings'][number];

export type UsageSeries = JsonBody<UsageOperations['getUsageSeries']['responses'][200]>;
export type UsageSeriesRow = UsageSeries['rows'][number];
export type BudgetStandings = JsonBody<UsageOperations['getBudgetStanding']['responses'][200]>;
export type BudgetStanding = BudgetStandings['budgets'][number];
export type UsageAnomalies = JsonBody<UsageOperations['listUsageAnomalies']['responses'][200]>;
export type UsageAnomaly = UsageAnomalies['anomalies'][number];
/** The FinOps console's question: the series' query parameters but the format. */
export type FinOpsFilter = Omit<NonNullable<UsageOperations['getUsageSeries']['parameters']['query']>, 'format' | 'tenant_id'>;
