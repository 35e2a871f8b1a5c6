/**
 * Opt-in verification of the browser's routing decision: before a chat request reaches a provider, a verifier may
 * look at its prompt and let it through, send it to a cheaper alias, or refuse it. The relay defines only the hook
 * and the policy (the config's `verify`); running a router on the prompt is src/relay-verify's job (Node, with the
 * inference stack), so a relay without verification loads none of it.
 */
import type { ParsedVerify } from './config.ts';

/** What the relay asks a verifier about one chat request. */
export interface RouteCheck {
  /** The alias the client asked for. */
  readonly alias: string;
  /** The text a router scores: the last user message, as the SDK routes it. */
  readonly prompt: string;
  /** Who is calling (`token#<n>` or an address), for verifiers with per-client rules. */
  readonly client: string;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** A verifier's answer; `score` is the router's, when one was run. */
export type RouteVerdict =
  | { readonly action: 'allow'; readonly score?: number }
  /** Serve `to` (an alias of the config) instead; `reason` is one sentence for the log. */
  | { readonly action: 'downgrade'; readonly to: string; readonly reason: string; readonly score?: number }
  /** Answer 403 `route_refused` with `reason` as the message. */
  | { readonly action: 'refuse'; readonly reason: string; readonly score?: number };

export type VerifyRoute = (check: RouteCheck) => Promise<RouteVerdict>;

/** What the `x-routellm-verified` header and the log line say happened to a request a verifier judged. */
export type VerifyOutcome = 'allowed' | 'downgraded' | 'refused' | 'failed';

/**
 * The config's policy over a router's scores: requests for a verified alias whose prompt scores under the threshold
 * are downgraded to `to` or refused; other aliases are not scored. `score` runs the router on one prompt.
 */
export function verifierFromScores(
  policy: ParsedVerify,
  score: (prompt: string, signal: AbortSignal) => Promise<number>,
): VerifyRoute {
  const verified = new Set(policy.models);
  return async (check) => {
    if (!verified.has(check.alias)) return { action: 'allow' };
    const value = await score(check.prompt, check.signal);
    if (value >= policy.threshold) return { action: 'allow', score: value };
    const reason = `The relay's ${policy.router} router scored this prompt ${value.toFixed(4)}, under the threshold of ${policy.threshold} for model "${check.alias}"`;
    return policy.action === 'downgrade' && policy.to !== undefined
      ? { action: 'downgrade', to: policy.to, reason, score: value }
      : { action: 'refuse', reason: `${reason}; ask for another model.`, score: value };
  };
}

/**
 * The text of the last user message, its text parts joined by newlines, as the SDK's promptOf picks what a browser
 * router scores (the relay imports nothing from the SDK, so it keeps this copy); '' when there is none.
 */
export function promptOfMessages(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as { role?: unknown; content?: unknown };
    if (message.role !== 'user') continue;
    const content = message.content;
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return content
      .filter(
        (part): part is { type: 'text'; text: string } =>
          typeof part === 'object' && part !== null && part.type === 'text' && typeof part.text === 'string',
      )
      .map((part) => part.text)
      .join('\n');
  }
  return '';
}
