import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { MCP_SERVER_HEADER, decodeMcpGrant, mcpToolVerdict, type McpGrant } from '@airlock/identity-assertion';
import { APP_CONFIG, EdgeCaller } from '@airlock/runtime';
import { currentCorrelationId, metrics } from '@airlock/telemetry';
import type { GatewayConfig } from '../config';
import { DlpGuard, type GuardedTexts } from '../dlp/dlp-guard';
import { type DlpVerdict, strongest } from '../dlp/verdicts';
import { mcpChangeOf, repoFromHeaders } from '../agent-changes/agent-change';
import { type AgentChange, AiEvents, type AiRequestRecord } from '../events/ai-events';
import { ANSWERED, CANCELLED, type Ending, endingOf } from '../exchange/ending';
import { DlpBlockedError } from '../gateway.errors';
import { type CallerContext, callerFromEdge } from '../identity/trusted-identity';
import { SseParser } from '../upstream/sse';
import { type JsonRpcMessage, argumentsHash, readClientMessage, readToolCall, stringsOf, withStrings } from './json-rpc';
import { McpMethodNotAllowedError, McpServerNotGrantedError, McpToolNotAllowedError, McpUpstreamError } from './mcp.errors';
import { McpUpstream, type UpstreamReply, readAnswer, relay } from './mcp-upstream';

export type McpDlp = Pick<DlpGuard, 'scanInbound' | 'scanAnswer'>;
export type McpEvents = Pick<AiEvents, 'accepted' | 'record'>;

/**
 * Methods passed on as they are: the session's set-up and keep-alive, and the client's answers to the server's
 * own requests (no method). Tools are policed below; anything else (resources, prompts, completion, logging) has
 * no policy yet and is refused rather than passed unscanned.
 */
const PASSED_ON = new Set(['initialize', 'ping']);
const passedOn = (method: string | undefined) => method === undefined || PASSED_ON.has(method) || method.startsWith('notifications/');

const meter = metrics.getMeter('airlock-gateway');
const toolCalls = meter.createCounter('ai_gateway_mcp_tool_calls_total', { description: 'MCP tool calls through /mcp/<server>, by server, tool and outcome' });

/** Rough tokens of a text, as the gateway counts an answer that reports none (characters / 4). */
const tokensOf = (texts: string[]) => Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4);

interface McpDeps {
  dlp: McpDlp;
  events: McpEvents;
  edge: EdgeCaller;
  upstream: McpUpstream;
}

/** What one tool call got to, for its audit event. */
interface CallProgress {
  caller?: CallerContext;
  grant?: McpGrant;
  tool?: string;
  argumentsHash?: string;
  args?: GuardedTexts;
  resultTexts?: string[];
  dlpAction?: DlpVerdict;
  /** The files the call writes (the reference filesystem server's tools), as agent change tracking reads them. */
  agent?: AgentChange;
  /** The server answered the call with a JSON-RPC error or `isError`: the tool failed, the gateway did not. */
  toolFailed?: boolean;
  /** The HTTP status the server answered with, passed on to the client. */
  upstreamStatus?: number;
}

/**
 * One POST to `/mcp/<server>`, in the order `run` reads: identify the caller (edge assertion) → the grant policy
 * gave for this server → read the JSON-RPC message → for `tools/call`: decide the tool, scan its name and
 * arguments with DLP, make an accepted audit event durable first if the tool writes and writes are high-risk,
 * forward, scan the result's texts, answer, audit; for `tools/list`: forward and drop the tools the caller may
 * not use; session set-up, pings and notifications: forward as they are.
 */
class McpPost {
  private readonly started = performance.now();
  private readonly correlationId = currentCorrelationId() ?? '';
  private readonly abort = new AbortController();
  private readonly done: CallProgress = {};

  constructor(
    private readonly deps: McpDeps,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly server: string,
  ) {
    res.on('close', () => {
      if (!res.writableFinished) this.abort.abort(new Error('client closed the connection'));
    });
  }

  async run(body: unknown): Promise<void> {
    let message: JsonRpcMessage;
    try {
      this.done.caller = await callerFromEdge(this.req, this.deps.edge, false);
      this.done.grant = grantFor(this.req, this.server);
      message = readClientMessage(body);
    } catch (error) {
      // A server policy did not allow is a refusal worth an event; a missing identity or a bad body is not a tool call.
      if (error instanceof McpServerNotGrantedError) void this.audit(endingOf(error));
      throw error;
    }
    if (message.method === 'tools/call') return this.toolCall(message);
    if (message.method === 'tools/list') return this.answer(this.done.grant, message, (m) => this.listAllowed(m));
    if (!passedOn(message.method)) throw new McpMethodNotAllowedError(message.method ?? '');
    relay(await this.forward(this.done.grant, message), this.res);
  }

  private async toolCall(message: JsonRpcMessage): Promise<void> {
    const grant = this.done.grant!;
    let ending = ANSWERED;
    let audited = false;
    try {
      const call = readToolCall(message);
      this.done.tool = call.name;
      this.done.argumentsHash = argumentsHash(call.arguments);
      this.decide(grant, call.name);
      const args = (this.done.args = await this.scanArguments(call.name, call.arguments));
      const sentArguments = withStrings(call.arguments, args.texts.slice(1));
      this.done.agent = mcpChangeOf(call.name, sentArguments, repoFromHeaders(this.req.headers));
      const highRisk = grant.writesHighRisk && grant.writeTools.includes(call.name);
      // A writing tool acts only once the trail holds that it was asked to (AuditUnavailableError otherwise).
      if (highRisk) await this.deps.events.accepted(this.record(ANSWERED));
      const forwarded = { ...message, params: { ...message.params, arguments: sentArguments } };
      await this.answer(grant, forwarded, (m) => this.scanResult(m, args), async () => {
        if (!highRisk) return;
        audited = true;
        // The answer is withheld unless its audit event is durable, as for /v1/agent.
        await this.audit(ending, { durable: true });
      });
    } catch (error) {
      // The client went away: the call to the server was aborted with it (fetch's AbortError), nobody to answer.
      ending = this.abort.signal.aborted ? CANCELLED : endingOf(error);
      if (ending.outcome !== 'cancelled') throw error;
    } finally {
      if (!audited) void this.audit(ending);
    }
  }

  /** The grant's verdict on the tool: 403 `mcp_tool_not_allowed` unless allowed. */
  private decide(grant: McpGrant, tool: string): void {
    const verdict = mcpToolVerdict(grant, tool);
    if (verdict !== 'allowed') throw new McpToolNotAllowedError(grant.name, tool, verdict === 'read_only');
  }

  /**
   * The tool's name and every string of its arguments (keys too) in one ScanTexts call, as a prompt is: masked or
   * pseudonymised values go to the tool, a block refuses the call (422). A name DLP would change is refused.
   */
  private async scanArguments(name: string, args: Record<string, unknown>): Promise<GuardedTexts> {
    const scanned = await this.deps.dlp.scanInbound([name, ...stringsOf(args)], this.done.caller!.policyVersion);
    if (scanned.texts[0] !== name) throw new DlpBlockedError(['mcp.tool_name']);
    this.done.dlpAction = scanned.verdict;
    return scanned;
  }

  /** The result's texts through the answer scan (pseudonyms of the arguments restored for the client). */
  private async scanResult(message: JsonRpcMessage, args: GuardedTexts): Promise<JsonRpcMessage> {
    if (message.error !== undefined || !message.result) {
      this.done.toolFailed = true;
      return message;
    }
    const result = message.result;
    if (result.isError === true) this.done.toolFailed = true;
    const content = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
    const policyVersion = this.done.caller!.policyVersion;
    const scan = async (text: string) => {
      const scanned = await this.deps.dlp.scanAnswer(text, policyVersion, args.pseudonyms);
      this.done.dlpAction = strongest(this.done.dlpAction ?? 'allow', scanned.verdict);
      return scanned.text;
    };
    const structured = result.structuredContent === undefined ? [] : stringsOf(result.structuredContent);
    const [texts, structuredTexts] = await Promise.all([Promise.all(content.map((item) => scanContent(item, scan))), Promise.all(structured.map(scan))]);
    this.done.resultTexts = [...content.flatMap((item) => contentTexts(item)), ...structured];
    return {
      ...message,
      result: { ...result, content: texts, ...(result.structuredContent === undefined ? {} : { structuredContent: withStrings(result.structuredContent, structuredTexts) }) },
    };
  }

  private listAllowed(message: JsonRpcMessage): JsonRpcMessage {
    const tools = message.result?.tools;
    if (!Array.isArray(tools)) return message;
    const grant = this.done.grant!;
    return { ...message, result: { ...message.result, tools: tools.filter((t: { name?: unknown }) => typeof t.name === 'string' && mcpToolVerdict(grant, t.name) === 'allowed') } };
  }

  private forward(grant: McpGrant, message: JsonRpcMessage): Promise<UpstreamReply> {
    return this.deps.upstream.send(grant, this.req, { method: 'POST', body: JSON.stringify(message), signal: this.abort.signal });
  }

  /**
   * Forwards a request and answers with the server's reply, its response to this request rewritten by
   * `rewrite`, in the framing the server chose (one JSON body, or SSE whose other messages pass unchanged).
   * `beforeSend` runs once the answer is ready and before any of it is sent. Errors of the server's own (4xx,
   * 5xx) go to the client as they are.
   */
  private async answer(grant: McpGrant, message: JsonRpcMessage, rewrite: (m: JsonRpcMessage) => JsonRpcMessage | Promise<JsonRpcMessage>, beforeSend?: () => Promise<void>): Promise<void> {
    const reply = await this.forward(grant, message);
    const text = await readAnswer(grant.name, reply);
    const own = (m: JsonRpcMessage) => m.method === undefined && m.id === message.id;
    let out = text;
    if (reply.status >= 200 && reply.status < 300) {
      if ((reply.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        const events = new SseParser().push(`${text}\n\n`);
        const rewritten = await Promise.all(
          events.map(async (e) => {
            const m = parseMessage(grant.name, e.data);
            return { event: e.event, data: JSON.stringify(own(m) ? await rewrite(m) : m) };
          }),
        );
        out = rewritten.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`).join('');
      } else if (text) {
        const m = parseMessage(grant.name, text);
        out = JSON.stringify(own(m) ? await rewrite(m) : m);
      }
    } else {
      // The server's own refusal (a session it no longer knows, a bad request) goes to the client as it is.
      this.done.toolFailed = true;
    }
    this.done.upstreamStatus = reply.status;
    await beforeSend?.();
    const headers = { ...reply.headers };
    this.res.writeHead(reply.status, { ...headers, 'content-length': Buffer.byteLength(out) });
    this.res.end(out);
  }

  private record(ending: Ending): AiRequestRecord {
    const d = this.done;
    const outcome = ending.outcome === 'success' && d.toolFailed ? 'error' : ending.outcome;
    return {
      caller: d.caller,
      correlationId: this.correlationId,
      endpoint: `/mcp/${this.server}`,
      action: 'mcp',
      statusCode: ending === ANSWERED ? (d.upstreamStatus ?? ending.statusCode) : ending.statusCode,
      outcome,
      latencyMs: Math.round(performance.now() - this.started),
      promptTokens: d.args ? tokensOf(d.args.texts) : 0,
      completionTokens: d.resultTexts ? tokensOf(d.resultTexts) : 0,
      dlpAction: ending.dlpBlocked ? 'block' : (d.dlpAction ?? 'none'),
      mcp: { server: this.server, tool: d.tool ?? '', argumentsHash: d.argumentsHash ?? '' },
      agent: d.agent,
    };
  }

  private audit(ending: Ending, options?: { durable: boolean }): Promise<void> {
    const record = this.record(ending);
    toolCalls.add(1, { server: this.server, tool: record.mcp!.tool, outcome: record.outcome });
    return this.deps.events.record(record, options);
  }
}

/** The grant policy's ext_authz set for this request; it must name the server of the path. */
function grantFor(req: IncomingMessage, server: string): McpGrant {
  const value = req.headers[MCP_SERVER_HEADER];
  const grant = decodeMcpGrant(typeof value === 'string' ? value : undefined);
  if (!grant || grant.name !== server) throw new McpServerNotGrantedError(server);
  return grant;
}

function parseMessage(server: string, text: string): JsonRpcMessage {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonRpcMessage;
  } catch {
    // Reported below.
  }
  throw new McpUpstreamError(server, 'answer is not a JSON-RPC message');
}

/** The texts a content item carries: a text item's text, an embedded resource's text. */
function contentTexts(item: Record<string, unknown>): string[] {
  if (item.type === 'text' && typeof item.text === 'string') return [item.text];
  const resource = item.resource as { text?: unknown } | undefined;
  if (item.type === 'resource' && typeof resource?.text === 'string') return [resource.text];
  return [];
}

async function scanContent(item: Record<string, unknown>, scan: (text: string) => Promise<string>): Promise<Record<string, unknown>> {
  if (item.type === 'text' && typeof item.text === 'string') return { ...item, text: await scan(item.text) };
  const resource = item.resource as Record<string, unknown> | undefined;
  if (item.type === 'resource' && typeof resource?.text === 'string') return { ...item, resource: { ...resource, text: await scan(resource.text) } };
  return item;
}

/** `/mcp/<server>`: each POST a McpPost; the GET stream of the server's own messages and DELETE (end of session) relayed. */
@Injectable()
export class McpGateway implements OnApplicationShutdown {
  private readonly deps: McpDeps;

  constructor(
    @Inject(DlpGuard) dlp: McpDlp,
    @Inject(AiEvents) events: McpEvents,
    edge: EdgeCaller,
    @Inject(APP_CONFIG) config: Pick<GatewayConfig, 'GATEWAY_MCP_UPSTREAM_ORIGINS' | 'GATEWAY_MCP_TIMEOUT_MS'>,
  ) {
    this.deps = { dlp, events, edge, upstream: new McpUpstream(config.GATEWAY_MCP_UPSTREAM_ORIGINS, config.GATEWAY_MCP_TIMEOUT_MS) };
  }

  onApplicationShutdown(): void {
    this.deps.upstream.close();
  }

  post(req: IncomingMessage, res: ServerResponse, server: string, body: unknown): Promise<void> {
    return new McpPost(this.deps, req, res, server).run(body);
  }

  /**
   * GET (the server's stream of its own messages) and DELETE (end of session): relayed for an allowed caller.
   * The server's messages on the GET stream are requests and notifications to the client, not tool results.
   */
  async session(req: IncomingMessage, res: ServerResponse, server: string, method: 'GET' | 'DELETE'): Promise<void> {
    await callerFromEdge(req, this.deps.edge, false);
    const grant = grantFor(req, server);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    relay(await this.deps.upstream.send(grant, req, { method, signal: abort.signal, stream: method === 'GET' }), res);
  }
}
