import { InvalidInputError, thresholdForStrongPct } from '../core/index.ts';

/** Recent scores the adaptive threshold is the quantile of: enough to be stable, few enough to follow a shift in traffic. */
export const DEFAULT_ADAPTIVE_WINDOW = 500;

/**
 * A threshold that keeps the observed strong-call share near a target on live traffic: the (1 - strongPct) quantile
 * of the last `window` scores (RouteLLM issue #36: a threshold calibrated offline only holds for traffic like the
 * calibration set). Each new score joins the window before its own decision, so the first prompts already decide
 * against what has been seen; the share settles once the window holds a few dozen scores.
 */
export class AdaptiveThreshold {
  private readonly scores: number[] = [];
  private next = 0;

  constructor(readonly window: number = DEFAULT_ADAPTIVE_WINDOW) {
    if (!(Number.isInteger(window) && window >= 1))
      throw new InvalidInputError(`The adaptive window must be a positive integer, got ${window}.`);
  }

  /** Scores observed so far, up to the window size. */
  get size(): number {
    return this.scores.length;
  }

  observe(score: number): void {
    if (this.scores.length < this.window) this.scores.push(score);
    else this.scores[this.next] = score;
    this.next = (this.next + 1) % this.window;
  }

  /** The threshold for a strong-call share, or undefined before any score was observed. */
  thresholdFor(strongPct: number): number | undefined {
    return this.scores.length === 0 ? undefined : thresholdForStrongPct(this.scores, strongPct);
  }
}
