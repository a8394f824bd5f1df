#!/usr/bin/env node
'use strict';
// Writes the DLP benchmark corpus: `node tools/bench/dlp/corpus/generate.js` (deterministic; the files are
// committed). Two parts:
//   tune.jsonl     seed 21, the lines the rules were written and tuned against;
//   heldout.jsonl  seed 2026, every line wrapped in a framing the tuning never saw (chat, ticket, log, code
//                  review) — generated once the rules were written and only ever scored, not read line by line.
// Each line: {text, messages?, category: secret|pii|classification|none, kind, spans: [[start, end]], evasion}.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { values } = require('./values');
const T = require('./templates');

const HELD_OUT_FRAMES = [
  ['운영 배포하다가 에러가 나는데 봐주실 수 있나요?\n```\n', '\n```'],
  ['[JIRA-4821] 재현 절차 첨부합니다.\n', '\n감사합니다.'],
  ['2025-11-03 09:12:44,118 INFO  [main] c.a.b.Config - loaded: ', ''],
  ['Code review comment: please check this hunk\n+ ', '\n'],
  ['Q: ', '\nA: 어떻게 고치면 될까요?'],
];

function build(seed, counts, frames) {
  const v = values(seed);
  const lines = [];
  const add = (category, group, n, evasion) => {
    for (let i = 0; i < n; i++) {
      const [kind, make] = group[i % group.length];
      const out = make(v);
      const [pre, post] = frames ? v.pick(frames) : ['', ''];
      if (category === 'none') {
        lines.push({ text: pre + out + post, category, kind, spans: [], evasion: false });
        continue;
      }
      let [text, value] = out;
      if (Array.isArray(text)) {
        // A value split over two chat messages: the span is over the messages joined by a newline.
        const messages = [pre + text[0], text[1] + post];
        const joined = messages.join('\n');
        const start = joined.indexOf(text[0].split(' ').pop());
        const end = joined.indexOf(text[1].split(' ')[0]) + text[1].split(' ')[0].length;
        lines.push({ text: joined, messages, category, kind, spans: [[start, end]], evasion });
        continue;
      }
      text = pre + text + post;
      const start = text.indexOf(value);
      if (start < 0) throw new Error(`value not in text for ${kind}`);
      lines.push({ text, category, kind, spans: [[start, start + value.length]], evasion });
    }
  };
  add('secret', T.SECRET, counts.secret, false);
  add('secret', T.SECRET_EVASION, counts.secretEvasion, true);
  add('pii', T.PII, counts.pii, false);
  add('pii', T.PII_EVASION, counts.piiEvasion, true);
  add('classification', T.CLASSIFICATION, counts.classification, false);
  add('none', T.NEGATIVE, counts.negative, false);
  return lines;
}

function write(name, lines) {
  writeFileSync(join(__dirname, name), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const neg = lines.filter((l) => l.category === 'none').length;
  const ev = lines.filter((l) => l.evasion).length;
  console.log(`${name}: ${lines.length} lines, ${((100 * neg) / lines.length).toFixed(0)} % look-alike negatives, ${((100 * ev) / lines.length).toFixed(0)} % evasions`);
}

write('tune.jsonl', build(21, { secret: 320, secretEvasion: 96, pii: 150, piiEvasion: 36, classification: 96, negative: 560 }, null));
write('heldout.jsonl', build(2026, { secret: 130, secretEvasion: 40, pii: 60, piiEvasion: 15, classification: 40, negative: 230 }, HELD_OUT_FRAMES));
