import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/relay/concurrency-limiter.ts';
import { RelayConfigError } from '../../src/relay/errors.ts';

describe('ConcurrencyLimiter', () => {
  it('hands out at most the cap per client and takes slots back once each', () => {
    const limiter = new ConcurrencyLimiter(2);
    const first = limiter.tryAcquire('a');
    const second = limiter.tryAcquire('a');
    expect(first).toBeTypeOf('function');
    expect(second).toBeTypeOf('function');
    expect(limiter.tryAcquire('a')).toBeUndefined();
    expect(limiter.tryAcquire('b')).toBeTypeOf('function');
    first!();
    first!();
    expect(limiter.inFlight('a')).toBe(1);
    expect(limiter.tryAcquire('a')).toBeTypeOf('function');
    expect(limiter.tryAcquire('a')).toBeUndefined();
  });

  it('forgets a client with nothing in flight', () => {
    const limiter = new ConcurrencyLimiter(1);
    limiter.tryAcquire('a')!();
    expect(limiter.inFlight('a')).toBe(0);
  });

  it('refuses a cap that is not a positive whole number', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RelayConfigError);
    expect(() => new ConcurrencyLimiter(1.5)).toThrow(RelayConfigError);
  });
});
