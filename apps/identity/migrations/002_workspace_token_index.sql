-- IssueWorkspaceToken and RevokeWorkspaceTokens look up a workspace's live tokens on every provisioning and delete.
CREATE INDEX identity_api_tokens_live_workspace ON identity_api_tokens (tenant_id, workspace_id) WHERE revoked_at IS NULL AND token_type = 'workspace';
