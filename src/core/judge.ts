/**
 * FastChat's single-answer judge records -1 when it could not read a verdict from the judge's text; such a
 * row is not a score. (The published Unify MT-Bench result, 8.757862, excludes its one -1.)
 */
export function isJudgeVerdict(score: number): boolean {
  return Number.isFinite(score) && score >= 0;
}
