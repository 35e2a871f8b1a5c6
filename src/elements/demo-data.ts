/**
 * The benchmark explorer's data files, as scripts/build-demo-data.ts writes them into public/demo-data/ and
 * <benchmark-explorer> reads them. Bump the version when the shape changes: the page refuses other versions.
 */
export const DEMO_DATA_VERSION = 1;

/** A router as the explorer offers it. */
export interface DemoRouter {
  name: string;
  description: string;
  /**
   * 'browser': scored by the page with core's router (it needs no model); 'recorded': scored at build time, its
   * scores are in each benchmark file; 'pending': the build is still scoring it; 'unavailable': not shown, `note`
   * says why.
   */
  source: 'browser' | 'recorded' | 'pending' | 'unavailable';
  note?: string;
}

export interface DemoIndex {
  version: number;
  /** Hash of every input of the build, to skip a rebuild when nothing changed. */
  fingerprint: string;
  generatedAt: string;
  /** Where the data came from, for the page to say. */
  source: string;
  benchmarks: { name: string; label: string; file: string; n: number; hasAnswers: boolean }[];
  routers: DemoRouter[];
}

export interface DemoItem {
  id: string;
  prompt: string;
  /** Quality with the weak model answering, and with the strong one, in the benchmark's unit. */
  weak: number;
  strong: number;
  /** The weak and the strong model's recorded answers, where the data has them. */
  answers?: [weak: string, strong: string];
  category?: string;
}

export interface DemoBenchmarkFile {
  version: number;
  name: string;
  label: string;
  description: string;
  qualityUnit: string;
  /** How to read a quality: right/wrong (100/0), a judge's score, or a judge's preference against the strong model. */
  qualityKind: 'correct' | 'score' | 'preference';
  weakModel: string;
  strongModel: string;
  items: DemoItem[];
  /** Scores of the 'recorded' routers, one per item in item order. */
  scores: Record<string, number[]>;
}

/**
 * progress.json, beside index.json while a build is scoring a learned router (deleted when the build ends): what the
 * explorer shows under its chart, and what it polls for.
 */
export interface DemoProgress {
  router: string;
  benchmark: string;
  /** Prompts scored so far, of `total`. */
  done: number;
  total: number;
  /** The build's estimate of the time left for this router on this benchmark, or null before it has one. */
  etaSeconds: number | null;
}

/** "3,200 of 12,537 prompts, about 2 min left": one line for the terminal and the page alike. */
export function formatScoringProgress(progress: DemoProgress): string {
  const count = `${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} prompts`;
  if (progress.etaSeconds === null) return `${count}, estimating the time left`;
  const left =
    progress.etaSeconds < 60
      ? `${Math.max(1, Math.round(progress.etaSeconds))} s`
      : `${Math.round(progress.etaSeconds / 60)} min`;
  return `${count}, about ${left} left`;
}
