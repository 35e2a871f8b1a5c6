import { RelayConfigError } from './errors.ts';
/**
 * The CORS allow-list: which browser origins may call the relay. A pattern is `*`, an exact origin
 * (`https://app.example.com`), or an origin with any port (`http://localhost:*`), the last one for dev servers
 * whose port changes from run to run.
 */
export type OriginPattern =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly origin: string }
  | { readonly kind: 'any-port'; readonly schemeAndHost: string };

/** Used when the config names no origins: any page served from this machine, on any port, may call the relay. */
export const LOOPBACK_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'] as const;

/** Parses one allow-list entry; throws a one-line explanation when it is not a pattern. */
export function parseOriginPattern(text: string): OriginPattern {
  if (text === '*') return { kind: 'any' };
  const anyPort = text.endsWith(':*');
  const origin = anyPort ? text.slice(0, -2) : text;
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  // Comparing with the URL's own serialisation rejects paths, trailing slashes, upper case and default ports,
  // none of which a browser ever sends in an Origin header, so such an entry could never match.
  const isOrigin =
    parsed !== undefined &&
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.origin === origin &&
    // Wildcard subdomains are not supported; the URL parser would take `*.example.com` as a literal host.
    !parsed.hostname.includes('*') &&
    !(anyPort && parsed.port !== '');
  if (!isOrigin) {
    throw new RelayConfigError(`"${text}" is not an origin such as https://app.example.com, http://localhost:* or *`);
  }
  return anyPort ? { kind: 'any-port', schemeAndHost: origin } : { kind: 'exact', origin };
}

export function originAllowed(patterns: readonly OriginPattern[], origin: string): boolean {
  for (const pattern of patterns) {
    switch (pattern.kind) {
      case 'any':
        return true;
      case 'exact':
        if (origin === pattern.origin) return true;
        break;
      case 'any-port': {
        if (origin === pattern.schemeAndHost) return true;
        const port = origin.startsWith(`${pattern.schemeAndHost}:`)
          ? origin.slice(pattern.schemeAndHost.length + 1)
          : '';
        if (/^[0-9]{1,5}$/.test(port)) return true;
        break;
      }
    }
  }
  return false;
}
