'use strict';
// Runs the peer tools over the corpus, one file per line, and returns their findings per line with the time
// each took (process start included: that is how each is used in CI).
const { execFileSync } = require('node:child_process');
const { mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function writeLines(dir, lines) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  lines.forEach((l, i) => writeFileSync(join(dir, `l${String(i).padStart(5, '0')}.txt`), l.text));
}
const lineOf = (file) => Number(/l(\d+)\.txt$/.exec(file)[1]);

function timed(fn) {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { out, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function gitleaks(state, lines) {
  const dir = join(state, 'lines');
  writeLines(dir, lines);
  const report = join(state, 'gitleaks.json');
  const { seconds } = timed(() => {
    try {
      execFileSync(join(state, 'bin', 'gitleaks'), ['dir', dir, '--report-format', 'json', '--report-path', report, '--no-banner', '--log-level', 'error', '--exit-code', '0']);
    } catch (err) {
      throw new Error(`gitleaks failed: ${err.stderr}`);
    }
  });
  const findings = lines.map(() => []);
  for (const f of JSON.parse(readFileSync(report, 'utf8'))) {
    const i = lineOf(f.File);
    const at = lines[i].text.indexOf(f.Secret);
    findings[i].push(at >= 0 ? { category: 'secret', start: at, end: at + f.Secret.length } : { category: 'secret' });
  }
  return { findings, seconds };
}

function detectSecrets(state, lines) {
  const dir = join(state, 'lines');
  writeLines(dir, lines);
  const py = join(state, 'py', 'venv', 'bin', 'detect-secrets');
  const { out, seconds } = timed(() => execFileSync(py, ['scan', '--all-files', '.'], { cwd: dir, maxBuffer: 256 * 1024 * 1024 }).toString());
  const findings = lines.map(() => []);
  for (const [file, results] of Object.entries(JSON.parse(out).results)) {
    const i = lineOf(file);
    for (const r of results) {
      // Line numbers only: the finding covers its line.
      const text = lines[i].text;
      let start = 0;
      for (let n = 1; n < r.line_number; n++) start = text.indexOf('\n', start) + 1;
      const end = text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start);
      findings[i].push({ category: 'secret', start, end });
    }
  }
  return { findings, seconds };
}

// Presidio's pattern recognizers (predefined, Korean ones included where the version has them) called
// directly: no NLP engine, so no spaCy model is needed. Every entity it reports counts as personal data.
const PRESIDIO = String.raw`
import json, sys
from presidio_analyzer import RecognizerRegistry, PatternRecognizer
registry = RecognizerRegistry(supported_languages=["en", "ko"])
recs = []
for lang in ("en", "ko"):
    try:
        registry.load_predefined_recognizers(languages=[lang])
    except Exception as e:
        print(f"presidio: {lang}: {e}", file=sys.stderr)
recs = [r for r in registry.recognizers if isinstance(r, PatternRecognizer)]
print("presidio recognizers: " + ", ".join(sorted({type(r).__name__ for r in recs})), file=sys.stderr)
out = []
for line in sys.stdin:
    text = json.loads(line)
    found = []
    for r in recs:
        for res in r.analyze(text, r.supported_entities, None) or []:
            found.append([res.start, res.end, res.entity_type, res.score])
    out.append(found)
print(json.dumps(out))
`;

function presidio(state, lines) {
  const py = join(state, 'py', 'venv', 'bin', 'python');
  const input = lines.map((l) => JSON.stringify(l.text)).join('\n') + '\n';
  const { out, seconds } = timed(() => execFileSync(py, ['-c', PRESIDIO], { input, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'inherit'] }).toString());
  const findings = JSON.parse(out).map((fs) => fs.map(([start, end]) => ({ category: 'pii', start, end })));
  return { findings, seconds };
}

module.exports = { gitleaks, detectSecrets, presidio };
