/**
 * Who is calling, by address, when the relay sits behind proxies. `X-Forwarded-For` is a list each proxy appends the
 * address it saw to, but anyone can send one: only the entries added by proxies the relay trusts say anything. With
 * `trustProxy` as a hop count, the relay trusts that many proxies in front of it; as a CIDR list, it trusts the
 * proxies whose addresses are in it. Without `trustProxy`, the header is ignored and the client is the peer address.
 */
import { RelayConfigError } from './errors.ts';

/** An address range, as 128 bits (IPv4 as IPv4-mapped IPv6) and a prefix length over them. */
export interface CidrRange {
  readonly text: string;
  readonly base: bigint;
  readonly prefixBits: number;
}

export type TrustProxy =
  | { readonly kind: 'hops'; readonly hops: number }
  | { readonly kind: 'ranges'; readonly ranges: readonly CidrRange[] };

const IPV4_MAPPED = 0xffff_0000_0000n;

/** An IPv4 or IPv6 address as 128 bits, or undefined when it is not one. */
export function parseAddress(text: string): bigint | undefined {
  const address = text
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (ipv4) {
    const parts = ipv4.slice(1).map(Number);
    if (parts.some((part) => part > 255)) return undefined;
    return IPV4_MAPPED | BigInt(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!);
  }
  if (!address.includes(':')) return undefined;
  // An IPv6 address may end in dotted IPv4 (::ffff:10.0.0.1): turn that into two groups.
  let text6 = address;
  const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(address);
  if (dotted) {
    const v4 = parseAddress(dotted[2]!);
    if (v4 === undefined) return undefined;
    const low = Number(v4 & 0xffff_ffffn);
    text6 = `${dotted[1]}${(low >>> 16).toString(16)}:${(low & 0xffff).toString(16)}`;
  }
  const halves = text6.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address. Throws RelayConfigError. */
export function parseCidr(text: string): CidrRange {
  const [addressText, prefixText, ...rest] = text.split('/');
  const base = parseAddress(addressText ?? '');
  const isV4 = addressText !== undefined && !addressText.includes(':');
  const maxBits = isV4 ? 32 : 128;
  const bits = prefixText === undefined ? maxBits : Number(prefixText);
  if (base === undefined || rest.length > 0 || !/^\d+$/.test(prefixText ?? '0') || bits > maxBits) {
    throw new RelayConfigError(
      `${JSON.stringify(text)} is not an address or range such as 10.0.0.0/8 or 2001:db8::/32`,
    );
  }
  const prefixBits = isV4 ? bits + 96 : bits;
  return { text, base: base & maskOf(prefixBits), prefixBits };
}

function maskOf(prefixBits: number): bigint {
  return prefixBits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefixBits)) - 1n);
}

function inRanges(address: string, ranges: readonly CidrRange[]): boolean {
  const value = parseAddress(address);
  return value !== undefined && ranges.some((range) => (value & maskOf(range.prefixBits)) === range.base);
}

/**
 * The client's address: the peer's, or, through trusted proxies, the last address in `X-Forwarded-For` that no
 * trusted proxy added. `forwardedFor` is every X-Forwarded-For header joined with commas.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | undefined,
  trustProxy: TrustProxy | undefined,
): string {
  if (!trustProxy || forwardedFor === undefined) return peer;
  const hops = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Right to left: the peer, then what each proxy in turn says it saw.
  const chain = [...hops, peer];
  if (trustProxy.kind === 'hops') return chain[Math.max(0, chain.length - 1 - trustProxy.hops)]!;
  let index = chain.length - 1;
  while (index > 0 && inRanges(chain[index]!, trustProxy.ranges)) index -= 1;
  return chain[index]!;
}
