export {
  ASSERTION_ALG,
  ASSERTION_AUDIENCE,
  ASSERTION_HEADER,
  ASSERTION_ISSUER,
  ASSERTION_TYP,
  type AssertedIdentity,
  type AssertionClaims,
  type CredentialKind,
  type Identity,
  type PrincipalKind,
} from './claims';
export {
  AUDIT_MODE_HEADER,
  EDGE_LOGGED_PRINCIPAL_HEADERS,
  EDGE_OWNED_HEADERS,
  IDENTITY_HEADERS,
  MODEL_ALIASES_HEADER,
  POLICY_VERSION_HEADER,
  ROUTE_HEADERS,
  RULE_IDS_HEADER,
} from './edge-headers';
export { MCP_SERVER_HEADER, decodeMcpGrant, encodeMcpGrant, mcpGrant, mcpToolVerdict, type McpGrant, type McpToolVerdict } from './mcp-grant';
export { AssertionError, type AssertionErrorCode } from './errors';
export type { Jwks, PublicJwk } from './keys';
export {
  AssertionSigner,
  KeyFileMissingError,
  loadSignerFile,
  readOrCreateKeyFile,
  type KeyFile,
  type LoadedSigner,
  type SignedAssertion,
  type SignerOptions,
} from './signer';
export { AssertionVerifier, type JwksOptions, type VerifierOptions } from './verifier';
export { identityAssertionConfig, verifierFromConfig, type IdentityAssertionConfig } from './config';
