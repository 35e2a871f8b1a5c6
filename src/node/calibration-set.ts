import { loadAlpacaEval, RESERVED_DATASET } from './alpaca-eval.ts';

/**
 * The documented calibration prompts: every manifest's quantile table is measured on them, and `npm run calibrate`
 * scores them for a router without one. Open-ended chat instructions, and never a benchmark.
 */
export const CALIBRATION_SET = `AlpacaEval instructions outside the reserved '${RESERVED_DATASET}' subset (725 open-ended chat instructions)`;

/** The calibration prompts, read from the shared data folder. */
export async function loadCalibrationPrompts(sharedDir: string): Promise<string[]> {
  return (await loadAlpacaEval(sharedDir)).instructions.map((instruction) => instruction.instruction);
}
