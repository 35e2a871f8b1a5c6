import { css, html } from 'lit';
import type { ModelTier } from '../sdk/index.ts';

/** The strong/weak badge both elements put before a decision. */
export function renderTierBadge(tier: ModelTier) {
  return html`<span class="tier ${tier}">${tier}</span>`;
}

/**
 * What the badge looks like in either element; each element sizes it for its own line. The host defines
 * `--_strong` and `--_weak`, so the badge takes the element's themed colours.
 */
export const tierBadgeStyles = css`
  .tier {
    text-transform: uppercase;
    letter-spacing: 0.04em;
    font-weight: 700;
    border-radius: 4px;
  }
  .tier.strong {
    background: var(--_strong);
  }
  .tier.weak {
    background: var(--_weak);
  }
`;
