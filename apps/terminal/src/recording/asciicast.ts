// asciicast v2 (the asciinema format): a JSON header line, then one JSON array per event, [seconds since the
// start, "o" for output, "i" for input or "r" for a resize ("COLSxROWS"), text]. Players (asciinema, the
// portal's) read it as it is.
import { StringDecoder } from 'node:string_decoder';

export interface CastHeader {
  width: number;
  height: number;
  /** Unix seconds of the start. */
  timestamp: number;
  title: string;
}

export type CastEventCode = 'o' | 'i' | 'r';

export const castHeader = (h: CastHeader): string =>
  `${JSON.stringify({ version: 2, width: h.width, height: h.height, timestamp: h.timestamp, title: h.title, env: { TERM: 'screen-256color' } })}\n`;

export const castEvent = (seconds: number, code: CastEventCode, text: string): string => `${JSON.stringify([Math.round(seconds * 1e6) / 1e6, code, text])}\n`;

/**
 * Bytes of one stream → the text of events. A UTF-8 character split across two reads is kept back until it is
 * whole (a Korean syllable is three bytes), so no event holds half a character.
 */
export class CastStream {
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly code: CastEventCode,
    private readonly startedMs: number,
  ) {}

  line(data: Buffer, nowMs = Date.now()): string {
    const text = this.decoder.write(data);
    return text === '' ? '' : castEvent((nowMs - this.startedMs) / 1000, this.code, text);
  }
}

/** A recording's events, parsed (the header first); for tests and tools that read a recording back. */
export function parseCast(text: string): { header: Record<string, unknown>; events: [number, CastEventCode, string][] } {
  const [first, ...rest] = text.split('\n').filter(Boolean);
  return { header: JSON.parse(first) as Record<string, unknown>, events: rest.map((l) => JSON.parse(l) as [number, CastEventCode, string]) };
}
