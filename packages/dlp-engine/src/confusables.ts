// Cyrillic and Greek letters that look like Latin ones, mapped to the Latin letter they imitate: the subset of
// the Unicode confusables skeleton (UTS #39, confusables.txt) that can disguise the ASCII prefix of a token
// (gһp_, АKIA, ѕk_live_). Applied only next to ASCII letters or digits, so Russian or Greek prose stays as is.
const PAIRS = 'АA ВB ЕE З3 КK МM НH ОO РP СC ТT УY ХX ІI ЈJ ЅS аa еe оo рp сc уy хx іi јj ѕs һh ԁd ԛq ԝw ɡg ӏl οo νv αa ιi κk ρp τt υu χx ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX';

export const CONFUSABLE_TO_LATIN: ReadonlyMap<string, string> = new Map(
  PAIRS.split(' ').map((pair) => [pair[0]!, pair[1]!] as [string, string]),
);

export function isConfusable(ch: string | undefined): boolean {
  return ch !== undefined && CONFUSABLE_TO_LATIN.has(ch);
}

/** The Latin skeleton of `s`: every confusable replaced, one character for one. */
export function latinSkeleton(s: string): string {
  let out = '';
  for (const ch of s) out += CONFUSABLE_TO_LATIN.get(ch) ?? ch;
  return out;
}
