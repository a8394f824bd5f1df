export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Incremental Server-Sent Events parser (WHATWG framing): lines ending in LF, CRLF or CR, `data:` lines
 * joined with LF, `event:` kept, comments and other fields ignored, an event ends at a blank line.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A CR at the very end may be half of a CRLF still on its way.
      if (c === 13 && i === this.buffer.length - 1) break;
      this.line(this.buffer.slice(start, i), out);
      if (c === 13 && this.buffer.charCodeAt(i + 1) === 10) i += 1;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ event: this.event, data: this.data.join('\n') });
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}

/** One SSE event in the exact framing OpenAI clients expect. */
export function sseData(payload: unknown): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

export function sseEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}
