import { ServiceStopping } from './service-stopping';

describe('ServiceStopping', () => {
  it('runs each listener once when stopped, even after one throws; unsubscribed ones not at all', () => {
    const stopping = new ServiceStopping();
    const calls: string[] = [];
    stopping.onStop(() => {
      calls.push('a');
      throw new Error('listener failed');
    });
    const off = stopping.onStop(() => calls.push('b'));
    stopping.onStop(() => calls.push('c'));
    off();
    stopping.stop();
    stopping.stop();
    expect(calls).toEqual(['a', 'c']);
  });

  it('runs a listener added after the stop at once', () => {
    const stopping = new ServiceStopping();
    stopping.stop();
    const calls: string[] = [];
    stopping.onStop(() => calls.push('late'));
    expect(calls).toEqual(['late']);
  });
});
