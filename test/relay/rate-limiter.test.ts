import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/relay/rate-limiter.ts';
import { RelayConfigError } from '../../src/relay/errors.ts';

describe('RateLimiter', () => {
  it('allows a burst of one minute of requests, then one more each 60/rpm seconds', () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    for (let request = 0; request < 6; request += 1) expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    now += 4_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 6 });
    now += 6_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('keeps clients apart', () => {
    const limiter = new RateLimiter(1, () => 0);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('never refills past one minute of requests', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    limiter.take('a');
    now += 3_600_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].map((decision) => decision.allowed)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('forgets idle clients once many are tracked, so memory stays bounded', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let client = 0; client < 10_000; client += 1) limiter.take(`client-${client}`);
    expect(limiter.trackedClients).toBe(10_000);
    now += 60_000;
    limiter.take('newcomer');
    expect(limiter.trackedClients).toBe(1);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new RateLimiter(0)).toThrow(RelayConfigError);
    expect(() => new RateLimiter(Number.NaN)).toThrow(RelayConfigError);
  });
});
