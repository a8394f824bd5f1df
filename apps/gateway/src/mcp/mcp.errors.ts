import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/*
 * Refusals of the MCP gateway are HTTP answers with the platform's error envelope, like every other refusal of
 * the edge and the gateway — not JSON-RPC errors: the MCP transport lets a server answer a POST with an HTTP
 * error, the official SDK client raises it as the failure of that one call (its session goes on), and an
 * auditor reads the same codes everywhere. JSON-RPC errors stay what they are in MCP: the tool server's own.
 */

/** The request's `x-airlock-mcp-server` grant is missing or names another server: policy did not allow this one. */
export class McpServerNotGrantedError extends AppError {
  constructor(server: string) {
    super('mcp_server_not_allowed', `MCP server "${server}" is not allowed for you`, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

/** The bundle denies the tool on this server (or does not list it), or it writes and the server is read-only. */
export class McpToolNotAllowedError extends AppError {
  constructor(server: string, tool: string, readOnly: boolean) {
    super(
      'mcp_tool_not_allowed',
      readOnly ? `tool "${tool}" changes something and MCP server "${server}" is read-only for you` : `tool "${tool}" of MCP server "${server}" is not allowed for you`,
      { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED },
    );
  }
}

/** A JSON-RPC method the gateway does not pass on (resources, prompts, sampling…: no policy covers them yet). */
export class McpMethodNotAllowedError extends AppError {
  constructor(method: string) {
    super('mcp_method_not_allowed', `MCP method "${method}" is not available through Airlock`, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class McpInvalidRequestError extends InvalidArgumentError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/** The declared upstream is not among GATEWAY_MCP_UPSTREAM_ORIGINS: the gateway calls only servers its operator listed. */
export class McpUpstreamNotConfiguredError extends AppError {
  constructor(server: string) {
    super('mcp_upstream_not_configured', `MCP server "${server}" points at an origin this gateway may not call`, { httpStatus: 502, grpcStatus: GrpcStatus.FAILED_PRECONDITION });
  }
}

/** The MCP server could not be reached, timed out, or answered something that is not MCP. */
export class McpUpstreamError extends DependencyUnavailableError {
  constructor(server: string, detail: string, cause?: unknown) {
    super('mcp_upstream_failed', `MCP server "${server}" failed (${detail})`, cause);
  }
}
