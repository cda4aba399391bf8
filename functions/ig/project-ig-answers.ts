import { projectIgAnswers } from '#shared/domain/ig/project-ig-answers.ts';
import { igStore, merkleLogStore } from '#shared/http/stores.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/** Scheduled: folds newly sequenced audit leaves into the IG projection (at most 100 batches or 40 s a run). */
export const handler = scheduledFunction(
  'ProjectIgAnswers',
  (runtime) => ({ ig: igStore(runtime), log: merkleLogStore(runtime), clock: runtime.clock }),
  async (deps) => {
    const summary = await projectIgAnswers(deps, { maxBatches: 100, maxMillis: 40_000 });
    if (summary.projected > 0) {
      logger.info('audit leaves projected for IG', { projected: summary.projected, next: summary.next });
    }
    return summary;
  },
);
