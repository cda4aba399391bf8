import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { RefusalsAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';

/** Which refusals: all, those for want of an agreement in force, or those across footprints. */
export type RefusalCodes = 'all' | 'without-agreement' | 'cross-footprint';

export const answerIgRefusals = async (
  _deps: IgDeps,
  _input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
    readonly codes: RefusalCodes;
  },
): Promise<{ readonly answer: RefusalsAnswer } & Audited> => {
  throw new Error('not yet');
};
