/**
 * The code that runs inside an analysis thread (see `page-analysis-pool.ts`): extraction and heuristic rating
 * of one page, pure functions over plain data, so the task and its result cross the thread boundary as structured
 * clones. A task that runs past its deadline or its heap limit takes only this thread down.
 */
import type { PageFacts, PageRating, SiteContext } from '../audit-model.js';
import { extractPageFacts, type ExtractInput } from '../extract/page-facts.js';
import { rateHeuristic } from '../scoring/heuristic-rating.js';

export type AnalysisTask =
  | { readonly step: 'extract'; readonly input: ExtractInput }
  | { readonly step: 'rate'; readonly facts: PageFacts; readonly site: SiteContext };

/** Runs one task; `warm-up` only loads this module (and with it the extractor and the scoring code). */
export function analyse(task: AnalysisTask | { readonly step: 'warm-up' }): PageFacts | PageRating | null {
  switch (task.step) {
    case 'extract':
      return extractPageFacts(task.input);
    case 'rate':
      return rateHeuristic(task.facts, task.site);
    default:
      return null;
  }
}
