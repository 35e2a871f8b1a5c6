import { InvalidInputError } from './errors.ts';
import { solveSymmetricPositiveDefinite } from './linear-algebra.ts';
import { sigmoid } from './logistic.ts';

/**
 * Placing a model the item-response router has never seen on its ability scale, so a deployment can name its own
 * models (see IrtModel: a model is an ability a and a skill vector s; P(right | prompt) = sigmoid(a + s . z - b)).
 * Three ways, each reported by name in the router's decisions:
 * - `like`: the model answers like a known one (its row is copied);
 * - `scores`: its published accuracy on reference sets the weights carry (a sample of each set's prompt traits, e.g.
 *   MMLU-Pro or ZeroEval MATH): the skill vector is the known models' mean weighted by how close their accuracies on
 *   those sets are to the published ones, and the ability is solved so that the predicted accuracies match them;
 * - `labels`: a few dozen of the site's own prompts with the model's quality on each (0..1): ability and skills are
 *   fitted to them by penalised logistic regression around the known models' mean.
 * The router's `withModel` (irt-router.ts) takes these placements; this module holds the arithmetic.
 */

/** Reference sets: each a name and the traits [b, z_1..z_skills] of a sample of its prompts. */
export interface ReferenceSets {
  readonly names: readonly string[];
  /** Per set, row-major [prompts, 1 + skills]. */
  readonly traits: readonly Float32Array[];
}

/** Mean predicted accuracy of a model row (ability, skills) over one reference set. */
export function referenceAccuracy(row: ArrayLike<number>, traits: Float32Array, width: number): number {
  const prompts = traits.length / width;
  let sum = 0;
  for (let p = 0; p < prompts; p++) {
    let logit = row[0]! - traits[p * width]!;
    for (let k = 1; k < width; k++) logit += row[k]! * traits[p * width + k]!;
    sum += sigmoid(logit);
  }
  return sum / prompts;
}

/** Squared error of a row's accuracies against published scores over the named reference sets. */
function scoreError(
  row: Float64Array,
  wanted: readonly { traits: Float32Array; score: number }[],
  width: number,
): number {
  return wanted.reduce((sum, { traits, score }) => sum + (referenceAccuracy(row, traits, width) - score) ** 2, 0);
}

/** Similarity temperature of accuracy profiles: models 0.1 apart in accuracy weigh e^-1 of an exact match. */
const PROFILE_TEMPERATURE = 0.01;

/**
 * The row [a, s] of a model placed by published scores: skills from the known models with the closest accuracy
 * profiles, then the ability that minimises the squared error of the predicted accuracies (golden-section search:
 * each accuracy is increasing in a, so the error has one minimum).
 */
export function placeByScores(
  modelWeights: Float32Array,
  width: number,
  references: ReferenceSets,
  scores: Readonly<Record<string, number>>,
): Float64Array {
  const wanted = Object.entries(scores).map(([name, score]) => {
    const index = references.names.indexOf(name);
    if (index < 0)
      throw new InvalidInputError(
        `No reference set '${name}' to place a model by: the router knows ${references.names.join(', ') || 'none'}.`,
      );
    if (!(score >= 0 && score <= 1)) throw new InvalidInputError(`Score on '${name}' must be in [0, 1], got ${score}.`);
    return { traits: references.traits[index]!, score };
  });
  if (wanted.length === 0) throw new InvalidInputError('Placing a model by scores needs at least one score.');
  const models = modelWeights.length / width;
  const skills = new Float64Array(width);
  let total = 0;
  for (let m = 0; m < models; m++) {
    const known = modelWeights.subarray(m * width, (m + 1) * width);
    const distance = wanted.reduce(
      (sum, { traits, score }) => sum + (referenceAccuracy(known, traits, width) - score) ** 2,
      0,
    );
    const weight = Math.exp(-distance / wanted.length / PROFILE_TEMPERATURE);
    total += weight;
    for (let k = 1; k < width; k++) skills[k] = skills[k]! + weight * known[k]!;
  }
  for (let k = 1; k < width; k++) skills[k] = total > 0 ? skills[k]! / total : 0;
  let low = -15;
  let high = 15;
  const ratio = (Math.sqrt(5) - 1) / 2;
  const at = (ability: number) => {
    skills[0] = ability;
    return scoreError(skills, wanted, width);
  };
  for (let step = 0; step < 80; step++) {
    const left = high - ratio * (high - low);
    const right = low + ratio * (high - low);
    if (at(left) <= at(right)) high = right;
    else low = left;
  }
  skills[0] = (low + high) / 2;
  return skills;
}

/** Penalty of a labels fit: pulls ability and skills towards the known models' mean row. */
const LABELS_PENALTY = 1;

/**
 * The row of a model placed by labelled prompts: penalised logistic regression of the quality on the prompts'
 * traits (logit = a + s . z - b), started at and pulled towards the known models' mean row, by Newton steps.
 */
export function placeByLabels(
  modelWeights: Float32Array,
  width: number,
  labels: readonly { readonly traits: Float64Array; readonly quality: number }[],
): Float64Array {
  if (labels.length === 0) throw new InvalidInputError('Placing a model by labels needs at least one labelled prompt.');
  for (const { quality } of labels)
    if (!(quality >= 0 && quality <= 1))
      throw new InvalidInputError(`A label's quality must be in [0, 1], got ${quality}.`);
  const models = modelWeights.length / width;
  const prior = new Float64Array(width);
  for (let m = 0; m < models; m++)
    for (let k = 0; k < width; k++) prior[k] = prior[k]! + modelWeights[m * width + k]! / models;
  const row = Float64Array.from(prior);
  // Design vector of a label: d logit / d row = [1, z_1, ..., z_skills].
  const design = (traits: Float64Array) => Float64Array.from({ length: width }, (_, k) => (k === 0 ? 1 : traits[k]!));
  for (let iteration = 0; iteration < 25; iteration++) {
    const gradient = new Float64Array(width);
    const hessian = new Float64Array(width * width);
    for (let k = 0; k < width; k++) {
      gradient[k] = LABELS_PENALTY * (row[k]! - prior[k]!);
      hessian[k * width + k] = LABELS_PENALTY;
    }
    for (const { traits, quality } of labels) {
      const x = design(traits);
      let logit = -traits[0]!;
      for (let k = 0; k < width; k++) logit += row[k]! * x[k]!;
      const p = sigmoid(logit);
      for (let i = 0; i < width; i++) {
        gradient[i] = gradient[i]! + (p - quality) * x[i]!;
        for (let j = 0; j < width; j++) hessian[i * width + j] = hessian[i * width + j]! + p * (1 - p) * x[i]! * x[j]!;
      }
    }
    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    for (let k = 0; k < width; k++) row[k] = row[k]! - step[k]!;
  }
  return row;
}
