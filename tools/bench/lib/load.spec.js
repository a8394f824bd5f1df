'use strict';
const { openLoop, percentile } = require('./load');

describe('openLoop', () => {
  it('measures every request from when it was sent or due, never a negative latency for an instant answer', async () => {
    const run = await openLoop({ rate: 1000, seconds: 0.2, warmupSeconds: 0.05, request: async () => 'ok' });
    expect(run.latenciesMs).toHaveLength(200);
    expect(run.values).toHaveLength(200);
    expect(Math.min(...run.latenciesMs)).toBeGreaterThanOrEqual(0);
    expect(run.errors).toBe(0);
  });

  it('counts failures by message, outside the latencies', async () => {
    let i = 0;
    const run = await openLoop({ rate: 500, seconds: 0.1, warmupSeconds: 0, request: async () => (i++ % 2 ? 'ok' : Promise.reject(new Error('HTTP 503 busy'))) });
    expect(run.errors).toBe(25);
    expect(run.errorKinds).toEqual({ 'HTTP 503 busy': 25 });
    expect(run.latenciesMs).toHaveLength(25);
  });
});

describe('percentile', () => {
  it('is nearest-rank over the sorted values', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
  });
});
