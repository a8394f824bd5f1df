// What Envoy did with its upstream connections to one cluster during a measured run, from its admin API's
// counters: connections opened, failed and timed out while connecting, requests refused by the cluster's circuit
// breakers. A full path failing with 503s shows here whether the gateway was unreachable or the edge shed load.
'use strict';
const http = require('node:http');

const COUNTERS = {
  upstream_cx_total: 'connections opened',
  upstream_cx_connect_fail: 'connect failures',
  upstream_cx_connect_timeout: 'connect timeouts',
  upstream_cx_overflow: 'over max_connections',
  upstream_rq_pending_overflow: 'refused (pending full)',
  upstream_cx_destroy_remote_with_active_rq: 'closed by the gateway mid-request',
};

/** The cluster's counters above, read from Envoy's admin port on this host. */
function envoyCounters(adminPort, cluster) {
  const filter = `^cluster\\.${cluster}\\.(${Object.keys(COUNTERS).join('|')})$`;
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: adminPort, path: `/stats?filter=${encodeURIComponent(filter)}` }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const counters = Object.fromEntries(Object.keys(COUNTERS).map((name) => [name, 0]));
          for (const line of text.split('\n')) {
            const match = /^cluster\.[^.]+\.(\w+): (\d+)$/.exec(line.trim());
            if (match && match[1] in counters) counters[match[1]] = Number(match[2]);
          }
          resolve(counters);
        });
      })
      .on('error', reject);
  });
}

/** One line: how each counter moved between two readings (the ones that did not move are left out). */
function describeCounters(before, after) {
  const moved = Object.entries(COUNTERS)
    .map(([name, label]) => [label, after[name] - before[name]])
    .filter(([, n]) => n > 0);
  return moved.length > 0 ? moved.map(([label, n]) => `${n} ${label}`).join(', ') : 'no connection opened';
}

module.exports = { envoyCounters, describeCounters };
