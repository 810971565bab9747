/**
 * The per-page analysis boundary: extraction and heuristic rating run in a pool of worker threads, each page under
 * a wall-clock deadline and each thread under a heap limit, never on the activity's event loop.
 *
 * Why structurally and not by trusting the code: extraction runs dozens of patterns and a tokenizer over text a
 * hostile page chose. The patterns are linear today, but one super-linear pattern added tomorrow would again let a
 * few kilobytes block the event loop, which also stops the activity's heartbeats and made Temporal treat the stall
 * as a lost worker, retried forever on the next worker. In a thread, a runaway page costs its thread: the deadline
 * terminates it (a blocked thread cannot be interrupted any other way), the heap limit stops a page that allocates
 * without end, and the activity records `error: too complex` with the step on the page's first attempt.
 *
 * Library: piscina (the Node.js project's worker-thread pool): it queues tasks, starts and replaces threads, applies
 * `resourceLimits`, and terminates the thread running a task whose AbortSignal fires. Tasks enter the pool only when
 * a thread is free, so the deadline measures the page's own run, not its wait in the queue.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import type { FailedPageOutcome, PageFacts, PageRating, SiteContext } from '../audit-model.js';
import type { ExtractInput } from '../extract/page-facts.js';
import { siteContextOfPage } from '../extract/site-context.js';
import type { AnalysisTask } from './analysis-thread.js';

export interface PageBudget {
  /** Wall-clock time one page's step may run in its thread. @default 20,000 ms */
  readonly deadlineMs: number;
  /** Heap of one analysis thread (V8 old generation), in MB. @default 512 */
  readonly heapMb: number;
}

export const DEFAULT_PAGE_BUDGET: PageBudget = { deadlineMs: 20_000, heapMb: 512 };

export interface PageAnalysisPoolOptions {
  readonly budget?: Partial<PageBudget>;
  /** Threads running pages at once. @default the machine's available parallelism */
  readonly threads?: number;
}

export type AnalysisStep = AnalysisTask['step'];

/** A page's step ran past its budget: recorded as `error: too complex` with the step. */
export class PageTooComplexError extends Error {
  readonly type = 'PAGE_TOO_COMPLEX';
  constructor(
    readonly step: AnalysisStep,
    readonly detail: string,
  ) {
    super(`${step === 'extract' ? 'extraction' : 'rating'} ${detail}`);
    this.name = 'PageTooComplexError';
  }

  outcome(url: string): FailedPageOutcome {
    return { kind: 'error', url, reason: 'too_complex', detail: this.message };
  }
}

/** The thread entry next to this file: `.js` when built, `.ts` when run from source (tests, tsx). */
function threadEntry(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./analysis-thread.js', import.meta.url));
  if (existsSync(js)) return { filename: js, execArgv: [] };
  // Source checkouts: the thread loads TypeScript through tsx, as the process does.
  return {
    filename: fileURLToPath(new URL('./analysis-thread.ts', import.meta.url)),
    execArgv: ['--import', 'tsx'],
  };
}

export class PageAnalysisPool {
  readonly budget: PageBudget;
  readonly #pool: Piscina;
  readonly #threads: number;
  #running = 0;
  #warm: Promise<void> | undefined;
  readonly #waiting: Array<() => void> = [];

  constructor(options: PageAnalysisPoolOptions = {}) {
    this.budget = { ...DEFAULT_PAGE_BUDGET, ...options.budget };
    this.#threads = Math.max(1, options.threads ?? availableParallelism());
    const entry = threadEntry();
    this.#pool = new Piscina({
      filename: entry.filename,
      name: 'analyse',
      execArgv: entry.execArgv,
      // Threads stay up (and are replaced when a deadline terminates one), so a page's deadline is not spent on
      // starting a thread and loading the analysis code; `#warmUp` loads it in each before the first page.
      minThreads: this.#threads,
      maxThreads: this.#threads,
      resourceLimits: {
        maxOldGenerationSizeMb: this.budget.heapMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(this.budget.heapMb / 8))),
        stackSizeMb: 4,
      },
    });
    // A thread that dies while running none of this pool's pages (a page's own failure rejects that page) is
    // replaced by piscina and reported as an 'error' event, which would end the worker process if nobody heard it.
    this.#pool.on('error', (err: Error) => {
      process.emitWarning(`analysis thread replaced: ${err.message}`, { code: 'APEXSEO_ANALYSIS_THREAD' });
    });
  }

  /** Extracts a page's facts, or throws `PageTooComplexError` when the page exceeds its budget. */
  extract(input: ExtractInput): Promise<PageFacts> {
    return this.#run({ step: 'extract', input }) as Promise<PageFacts>;
  }

  /**
   * Rates a page heuristically, or throws `PageTooComplexError` when the page exceeds its budget. The task is
   * copied into the thread for every page, so only the page's share of the site context goes with it.
   */
  rate(facts: PageFacts, site: SiteContext): Promise<PageRating> {
    return this.#run({
      step: 'rate',
      facts,
      site: siteContextOfPage(site, facts.url),
    }) as Promise<PageRating>;
  }

  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }

  /** Loads the analysis code in every thread, once, before the first page runs against a deadline. */
  #warmUp(): Promise<void> {
    this.#warm ??= Promise.all(
      Array.from({ length: this.#threads }, () => this.#pool.run({ step: 'warm-up' })),
    ).then(() => undefined);
    return this.#warm;
  }

  async #run(task: AnalysisTask): Promise<unknown> {
    await this.#warmUp();
    await this.#turn();
    const deadline = AbortSignal.timeout(this.budget.deadlineMs);
    try {
      return await this.#pool.run(task, { signal: deadline });
    } catch (err) {
      if (deadline.aborted)
        throw new PageTooComplexError(task.step, `exceeded its ${this.budget.deadlineMs} ms time budget`);
      if (isOutOfMemory(err))
        throw new PageTooComplexError(task.step, `exceeded its ${this.budget.heapMb} MB memory budget`);
      if (err instanceof RangeError && /call stack/i.test(err.message))
        throw new PageTooComplexError(task.step, 'exceeded its stack budget');
      throw err;
    } finally {
      this.#release();
    }
  }

  /** Waits for a free thread, so a task's deadline starts when it starts running. */
  #turn(): Promise<void> {
    if (this.#running < this.#threads) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
