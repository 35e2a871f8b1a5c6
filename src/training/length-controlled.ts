import { InvalidInputError, fitSparseLogistic, sigmoid, type SparseLogisticRow } from '../core/index.ts';
import type { JudgedBattle } from '../node/index.ts';

/**
 * A length-controlled Bradley-Terry fit of judged battles: log-odds(model beats baseline) =
 * strength[model] - strength[baseline] + lengthBias[annotator] * ln(modelChars / baselineChars).
 * GPT-4 Turbo judges reward longer answers (about one unit of log-odds per unit of log length ratio), Claude
 * judges hardly at all, so the length term is per annotator; strengths are then comparable at equal length.
 */
export interface LengthControlledFit {
  readonly strength: ReadonlyMap<string, number>;
  readonly lengthBias: ReadonlyMap<string, number>;
}

/** A weak prior on strengths (log-odds units): pins the free offset, barely moves models with hundreds of battles. */
const STRENGTH_PRIOR_PRECISION = 0.01;

export function lengthLogRatio(battle: JudgedBattle): number {
  return Math.log(Math.max(1, battle.modelChars) / Math.max(1, battle.baselineChars));
}

export function fitLengthControlled(battles: readonly JudgedBattle[]): LengthControlledFit {
  if (battles.length === 0) throw new InvalidInputError('The length-controlled fit needs battles.');
  const models = [...new Set(battles.flatMap((battle) => [battle.baseline, battle.model]))].sort();
  const annotators = [...new Set(battles.map((battle) => battle.annotator))].sort();
  const modelIndex = new Map(models.map((model, index) => [model, index]));
  const annotatorIndex = new Map(annotators.map((annotator, index) => [annotator, models.length + index]));
  const rows: SparseLogisticRow[] = battles.map((battle) => ({
    indices: [modelIndex.get(battle.model)!, modelIndex.get(battle.baseline)!, annotatorIndex.get(battle.annotator)!],
    values: [1, -1, lengthLogRatio(battle)],
    target: battle.modelWinRate,
    weight: 1,
  }));
  const coef = fitSparseLogistic(rows, models.length + annotators.length, { l2: STRENGTH_PRIOR_PRECISION });
  return {
    strength: new Map(models.map((model, index) => [model, coef[index]!])),
    lengthBias: new Map(annotators.map((annotator, index) => [annotator, coef[models.length + index]!])),
  };
}

/** Precision of the prior that pulls a prompt's discrimination towards 1 (the average prompt). */
const DISCRIMINATION_PRIOR_PRECISION = 4;

/**
 * How strongly each instruction separates better from worse models, at equal answer length: with strengths and
 * length biases fixed from the global fit, log-odds = discrimination * (strength[model] - strength[baseline]) +
 * lengthBias * ln(length ratio), fitted per instruction over all its battles (every model pools into one number,
 * as in a two-parameter item-response model), with a N(1, 1/4) prior. Returns instruction id -> discrimination.
 */
export function promptDiscrimination(battles: readonly JudgedBattle[], fit: LengthControlledFit): Map<number, number> {
  const byInstruction = new Map<number, JudgedBattle[]>();
  for (const battle of battles) {
    const list = byInstruction.get(battle.instructionId) ?? [];
    list.push(battle);
    byInstruction.set(battle.instructionId, list);
  }
  const discrimination = new Map<number, number>();
  for (const [instructionId, list] of [...byInstruction].sort((a, b) => a[0] - b[0])) {
    const rows = list.map((battle) => {
      const gap = fit.strength.get(battle.model)! - fit.strength.get(battle.baseline)!;
      return {
        gap,
        offset: fit.lengthBias.get(battle.annotator)! * lengthLogRatio(battle),
        target: battle.modelWinRate,
      };
    });
    let beta = 1;
    for (let iteration = 0; iteration < 30; iteration++) {
      let gradient = DISCRIMINATION_PRIOR_PRECISION * (beta - 1);
      let curvature = DISCRIMINATION_PRIOR_PRECISION;
      for (const row of rows) {
        const p = sigmoid(beta * row.gap + row.offset);
        gradient += (p - row.target) * row.gap;
        curvature += p * (1 - p) * row.gap * row.gap;
      }
      const step = gradient / curvature;
      beta -= step;
      if (Math.abs(step) < 1e-10) break;
    }
    discrimination.set(instructionId, beta);
  }
  return discrimination;
}

/**
 * Per-instruction soft labels for one model pair: the probability that `strong` beats `weak` at equal length,
 * sigmoid(discrimination * (strength[strong] - strength[weak])).
 */
export function lengthControlledWinRates(
  battles: readonly JudgedBattle[],
  pair: { readonly strong: string; readonly weak: string },
): { fit: LengthControlledFit; winRates: Map<number, number> } {
  const fit = fitLengthControlled(battles);
  for (const model of [pair.strong, pair.weak]) {
    if (!fit.strength.has(model))
      throw new InvalidInputError(`Model '${model}' has no battles to fit a strength from.`);
  }
  const gap = fit.strength.get(pair.strong)! - fit.strength.get(pair.weak)!;
  const winRates = new Map<number, number>();
  for (const [instructionId, beta] of promptDiscrimination(battles, fit))
    winRates.set(instructionId, sigmoid(beta * gap));
  return { fit, winRates };
}
