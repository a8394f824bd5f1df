#!/usr/bin/env node
// What the agent API translations add, measured in one run through the same gateway to the same reference
// backend: Anthropic Messages (/v1/messages) and OpenAI Responses (/v1/responses) against chat/completions, the
// baseline, in three shapes — a whole answer, a streamed answer, and a streamed tool call (the call held until
// whole, its arguments scanned, then framed as content blocks or output items). Requests go one at a time,
// the three surfaces in turn, so drift on a shared machine hits all alike; each row prints P50/P99 of the whole
// request, the P50 added against chat/completions (issue 18's target: <= 1 ms) and the P50 ratio.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/gateway... --filter @airlock/reference-model...
//   tools/airlock bootstrap node tools/bench/gateway/translation.js [--requests 1000] [--warmup 200] [--log-level warn]
'use strict';
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { percentile, fmt } = require('../lib/load');
const { children, post, startGatewayAlone } = require('./processes');

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '200' },
    // Warn, not info: the per-request log line is the same for every surface and would only add noise.
    'log-level': { type: 'string', default: 'warn' },
    'gateway-main': { type: 'string', default: path.join('apps', 'gateway', 'dist', 'main.js') },
  },
});
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);

const MODEL = 'reference-chat';
const PROMPT = 'explain the retry policy of the payment client in one line';
// The reference backend calls the first tool offered when the prompt says this.
const TOOL_PROMPT = 'please use the tool to read the readme';
const SCHEMA = { type: 'object', properties: { path: { type: 'string' } } };

/** The same request on each surface: `stream` and, with `tool`, one function offered and a prompt that calls it. */
const SURFACES = {
  'chat/completions': {
    path: '/v1/chat/completions',
    body: ({ stream, tool }) => ({
      model: MODEL,
      max_tokens: 200,
      stream,
      messages: [{ role: 'user', content: tool ? TOOL_PROMPT : PROMPT }],
      ...(tool ? { tools: [{ type: 'function', function: { name: 'read_file', parameters: SCHEMA } }] } : {}),
    }),
  },
  messages: {
    path: '/v1/messages',
    body: ({ stream, tool }) => ({
      model: MODEL,
      max_tokens: 200,
      stream,
      messages: [{ role: 'user', content: tool ? TOOL_PROMPT : PROMPT }],
      ...(tool ? { tools: [{ name: 'read_file', input_schema: SCHEMA }] } : {}),
    }),
  },
  responses: {
    path: '/v1/responses',
    body: ({ stream, tool }) => ({
      model: MODEL,
      max_output_tokens: 200,
      stream,
      input: tool ? TOOL_PROMPT : PROMPT,
      ...(tool ? { tools: [{ type: 'function', name: 'read_file', parameters: SCHEMA }] } : {}),
    }),
  },
};

const SHAPES = [
  { label: 'whole answer', stream: false, tool: false },
  { label: 'streamed answer', stream: true, tool: false },
  { label: 'streamed tool call', stream: true, tool: true },
];

async function main() {
  const { edgeHeaders, gateway } = await startGatewayAlone({ gatewayMain: args['gateway-main'], logLevel: args['log-level'] });
  const send = (surface, shape) => post(gateway, SURFACES[surface].path, edgeHeaders(), SURFACES[surface].body(shape));
  // The gateway fetches nothing at start, but Kafka's first produce may take a moment: retry the first call.
  for (let attempt = 0; ; attempt++) {
    try {
      await send('chat/completions', SHAPES[0]);
      break;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const out = (line) => process.stdout.write(`${line}\n`);
  out(`\nadded latency of the agent API translations, ${REQUESTS} sequential requests per surface and shape (after ${WARMUP} of warm-up), through the gateway alone (reference backend, dlp, gateway; Kafka)`);
  out(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
  out('shape                surface            p50 / p99 ms         added p50 ms   p50 ratio');
  for (const shape of SHAPES) {
    const times = Object.fromEntries(Object.keys(SURFACES).map((s) => [s, []]));
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      // Round-robin, in a rotating order, so no surface always follows the same one.
      const order = Object.keys(SURFACES);
      for (let k = 0; k < order.length; k++) {
        const surface = order[(i + k) % order.length];
        const { total } = await send(surface, shape);
        if (i >= WARMUP) times[surface].push(total);
      }
    }
    const base = percentile(times['chat/completions'], 50);
    for (const [surface, values] of Object.entries(times)) {
      const p50 = percentile(values, 50);
      const added = surface === 'chat/completions' ? '(baseline)' : fmt(p50 - base, 3);
      out(`${shape.label.padEnd(20)} ${surface.padEnd(18)} ${`${fmt(p50, 3)} / ${fmt(percentile(values, 99), 3)}`.padEnd(20)} ${added.padEnd(14)} ${fmt(p50 / base, 3)}x`);
    }
  }
  out(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  out('target (issue 18): added P50 of Messages and Responses against chat/completions <= 1 ms');
}

main()
  .catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
    // Keep-alive sockets would hold the event loop open.
    process.exit();
  });
