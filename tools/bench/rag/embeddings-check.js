#!/usr/bin/env node
'use strict';
// Checks the embeddings backend of embeddings.js for real and measures it (orientation only; the machine is shared):
//   tools/airlock bootstrap node tools/bench/rag/embeddings-check.js [--texts 512] [--batch 64] [--chars 1500]
// Starts the server, checks the OpenAI answer shape (float and base64 agree, unit vectors, errors), that a
// paraphrase is nearer than an unrelated text, then times embedding code-like texts in batches, and stops it.
const assert = require('node:assert/strict');
const os = require('node:os');
const { parseArgs } = require('node:util');
const { startEmbeddings } = require('./embeddings');

const { values: args } = parseArgs({
  options: { texts: { type: 'string', default: '512' }, batch: { type: 'string', default: '64' }, chars: { type: 'string', default: '1500' } },
});

async function post(url, body) {
  const res = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const decode = (b64) => {
  const bytes = Buffer.from(b64, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
};
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);

/** Deterministic Java-like source of about `chars` characters: identifiers, Javadoc and statements vary per seed. */
function codeLikeText(seed, chars) {
  let state = seed * 2654435761;
  const rand = (n) => {
    state = (Math.imul(state ^ (state >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return state % n;
  };
  const words = ['cache', 'entry', 'segment', 'queue', 'buffer', 'range', 'multimap', 'hash', 'stream', 'future', 'lock', 'node', 'table', 'index', 'count', 'weight', 'listener', 'executor', 'key', 'value'];
  const cap = (w) => w[0].toUpperCase() + w.slice(1);
  const name = () => cap(words[rand(words.length)]) + cap(words[rand(words.length)]);
  const local = () => words[rand(words.length)] + cap(words[rand(words.length)]);
  const cls = name();
  let text = `package com.example.${words[rand(words.length)]};\n\nimport java.util.${name()};\n\n/**\n * A ${words[rand(words.length)]} that keeps ${words[rand(words.length)]}s by ${words[rand(words.length)]}.\n */\npublic final class ${cls}<K, V> {\n`;
  while (text.length < chars - 60) {
    const m = local();
    const a = local();
    text += `  /** Returns the ${words[rand(words.length)]} of {@code ${a}}, or null when it has none. */\n  V ${m}(K ${a}) {\n    int h = ${a}.hashCode() * ${rand(1000)};\n    if (h < ${rand(64)}) return ${local()}.get(${a});\n    return ${name()}.of(${a}, h >>> ${rand(32)});\n  }\n\n`;
  }
  return `${text.slice(0, chars - 2)}\n}`;
}

async function main() {
  const total = Number(args.texts);
  const batch = Number(args.batch);
  const chars = Number(args.chars);
  const t0 = performance.now();
  const server = await startEmbeddings({ log: (s) => process.stderr.write(s) });
  console.log(`started ${server.url} (${server.model}, ${server.dimensions} dims) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const texts = [
      'a queue that evicts the oldest element when full',
      'EvictingQueue: a non-blocking queue which automatically evicts elements from the head of the queue when attempting to add new elements onto the queue and it is full',
      'parse an IPv6 address from a string',
    ];
    const floats = await post(server.url, { model: server.model, input: texts });
    assert.equal(floats.status, 200);
    assert.equal(floats.body.object, 'list');
    assert.equal(floats.body.model, server.model);
    assert.deepEqual(floats.body.data.map((d) => [d.object, d.index]), texts.map((_, i) => ['embedding', i]));
    const v = floats.body.data.map((d) => d.embedding);
    for (const e of v) {
      assert.equal(e.length, server.dimensions);
      assert.ok(Math.abs(dot(e, e) - 1) < 1e-4, 'L2-normalised');
    }
    const b64 = await post(server.url, { model: server.model, input: texts, encoding_format: 'base64' });
    assert.equal(b64.status, 200);
    b64.body.data.forEach((d, i) => assert.deepEqual(decode(d.embedding), v[i].map(Math.fround)));
    const cos12 = dot(v[0], v[1]);
    const cos13 = dot(v[0], v[2]);
    console.log(`cosine(1,2) = ${cos12.toFixed(4)}, cosine(1,3) = ${cos13.toFixed(4)}, usage ${JSON.stringify(floats.body.usage)}`);
    assert.ok(cos12 > cos13, 'the paraphrase is nearer than the unrelated text');

    const single = await post(server.url, { model: server.model, input: texts[0] });
    assert.ok(single.body.data[0].embedding.every((x, i) => Math.abs(x - v[0][i]) < 1e-5), 'a string input embeds as in a batch');
    const short = await post(server.url, { model: server.model, input: texts[0], dimensions: 64 });
    assert.equal(short.body.data[0].embedding.length, 64);
    for (const [body, status] of [
      [{ model: server.model, input: [] }, 400],
      [{ model: server.model, input: [''] }, 400],
      [{ model: server.model, input: [[1, 2, 3]] }, 400],
      [{ model: server.model, input: 'x', encoding_format: 'int8' }, 400],
      [{ model: server.model, input: 'x', dimensions: 1000 }, 400],
      [{ input: 'x' }, 400],
      [{ model: 'text-embedding-3-small', input: 'x' }, 404],
    ]) {
      const res = await post(server.url, body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error.type, 'invalid_request_error');
      assert.equal(typeof res.body.error.message, 'string');
    }
    console.log('answer shape, base64, dimensions and errors: ok');

    const corpus = Array.from({ length: total }, (_, i) => codeLikeText(i + 1, chars));
    await post(server.url, { model: server.model, input: corpus.slice(0, batch), encoding_format: 'base64' }); // warm-up
    let tokens = 0;
    const t = performance.now();
    for (let i = 0; i < total; i += batch) {
      const res = await post(server.url, { model: server.model, input: corpus.slice(i, i + batch), encoding_format: 'base64' });
      assert.equal(res.status, 200);
      tokens += res.body.usage.prompt_tokens;
    }
    const seconds = (performance.now() - t) / 1000;
    console.log(
      `${total} texts of ${chars} chars in batches of ${batch}: ${seconds.toFixed(1)} s, ${(total / seconds).toFixed(1)} embeddings/s ` +
        `(${(tokens / total).toFixed(0)} tokens read per text; ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)})`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
