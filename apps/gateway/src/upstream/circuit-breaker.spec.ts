import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let t = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, () => t);
  beforeEach(() => (t = 0));

  it('opens after consecutive failures and refuses calls', () => {
    const b = breaker();
    b.failure();
    b.failure();
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
  });

  it('a success resets the count', () => {
    const b = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('lets one trial through after the cooldown; its outcome decides', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    t = 1000;
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.failure();
    expect(b.state).toBe('open');
    t = 2000;
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });
});
