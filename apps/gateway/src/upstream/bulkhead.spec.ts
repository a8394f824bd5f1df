import { Bulkhead, BulkheadFullError } from './bulkhead';

describe('Bulkhead', () => {
  it('admits up to the limit, queues, then refuses', async () => {
    const b = new Bulkhead({ concurrent: 2, queue: 1 });
    const r1 = await b.acquire();
    await b.acquire();
    let third = false;
    const queued = b.acquire().then((r) => {
      third = true;
      return r;
    });
    await expect(b.acquire()).rejects.toBeInstanceOf(BulkheadFullError);
    expect(third).toBe(false);
    r1();
    r1();
    (await queued)();
    expect(third).toBe(true);
    expect(b.inFlight).toBe(1);
  });

  it('drops an aborted waiter from the queue', async () => {
    const b = new Bulkhead({ concurrent: 1, queue: 1 });
    const r = await b.acquire();
    const ac = new AbortController();
    const waiting = b.acquire(ac.signal);
    ac.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    r();
    expect(b.inFlight).toBe(0);
  });
});
