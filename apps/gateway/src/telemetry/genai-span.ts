import { SpanKind, SpanStatusCode, trace, traceHeaders, type AttributeValue, type Span } from '@airlock/telemetry';

const tracer = trace.getTracer('airlock-gateway');

export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings' | 'retrieval' | 'index';

export interface GenAiRequest {
  operation: GenAiOperation;
  /** The backend protocol: the `gen_ai.provider.name` (vLLM/TGI speak "openai"). */
  provider: string;
  model: string;
  serverAddress: string;
  serverPort: number;
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
}

/**
 * A CLIENT span per model call, named and attributed after the OpenTelemetry GenAI semantic conventions
 * (`{gen_ai.operation.name} {gen_ai.request.model}`). Prompt and answer text are never attributes.
 */
export class GenAiSpan {
  private readonly span: Span;

  constructor(req: GenAiRequest) {
    const attributes: Record<string, AttributeValue> = {
      'gen_ai.operation.name': req.operation,
      'gen_ai.provider.name': req.provider,
      'gen_ai.request.model': req.model,
      'server.address': req.serverAddress,
      'server.port': req.serverPort,
      'airlock.gen_ai.stream': req.stream,
    };
    if (req.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = req.maxTokens;
    if (req.temperature !== undefined) attributes['gen_ai.request.temperature'] = req.temperature;
    this.span = tracer.startSpan(`${req.operation} ${req.model}`, { kind: SpanKind.CLIENT, attributes });
  }

  /** Trace context for the model server: its spans become children of this one (no HTTP client span between). */
  traceHeaders(): Record<string, string> {
    return traceHeaders(this.span);
  }

  firstToken(ms: number): void {
    this.span.addEvent('gen_ai.first_token', { 'airlock.gen_ai.time_to_first_token_ms': ms });
  }

  end(result: { responseModel?: string; responseId?: string; inputTokens: number; outputTokens: number; finishReasons?: string[]; errorType?: string; source?: string }): void {
    const attributes: Record<string, AttributeValue> = {
      'gen_ai.usage.input_tokens': result.inputTokens,
      'gen_ai.usage.output_tokens': result.outputTokens,
    };
    if (result.responseModel) attributes['gen_ai.response.model'] = result.responseModel;
    if (result.responseId) attributes['gen_ai.response.id'] = result.responseId;
    if (result.finishReasons?.length) attributes['gen_ai.response.finish_reasons'] = result.finishReasons;
    if (result.source) attributes['airlock.gen_ai.source'] = result.source;
    if (result.errorType) {
      attributes['error.type'] = result.errorType;
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorType });
    }
    this.span.setAttributes(attributes);
    this.span.end();
  }
}
