// Playback of an asciicast v2 recording (the terminal service's format): the header line, then
// [seconds, "o" | "i" | "r", text] events. Output is written to the terminal at its time, a resize ("COLSxROWS")
// resizes it; input (recorded only where policy asks for it) is counted, not typed into the screen (the shell's
// echo is already in the output).

export interface CastEvent {
  at: number;
  code: 'o' | 'i' | 'r';
  text: string;
}

export interface Cast {
  width: number;
  height: number;
  events: CastEvent[];
}

/** A resize event's size; undefined when malformed (it is then skipped). */
export function sizeOf(text: string): { cols: number; rows: number } | undefined {
  const m = /^(\d{1,4})x(\d{1,4})$/.exec(text);
  return m ? { cols: Number(m[1]), rows: Number(m[2]) } : undefined;
}

/** Pauses longer than this are shortened to it: an hour of a detached shell waiting plays in a second. */
export const MAX_PAUSE_SECONDS = 1;

export function parseCast(text: string): Cast {
  const [first, ...lines] = text.split('\n').filter((l) => l.trim() !== '');
  const header = JSON.parse(first ?? '{}') as { version?: number; width?: number; height?: number };
  if (header.version !== 2) throw new Error('not an asciicast v2 recording');
  const events = lines.map((l) => {
    const [at, code, data] = JSON.parse(l) as [number, string, string];
    return { at, code: code === 'i' || code === 'r' ? code : 'o', text: data } satisfies CastEvent;
  });
  return { width: header.width ?? 80, height: header.height ?? 24, events };
}

/** The times to play each event at, from the start, with long pauses shortened to MAX_PAUSE_SECONDS. */
export function playbackTimes(events: CastEvent[]): number[] {
  let previous = 0;
  let clock = 0;
  return events.map((e) => {
    clock += Math.min(Math.max(e.at - previous, 0), MAX_PAUSE_SECONDS);
    previous = e.at;
    return clock;
  });
}
