import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { OutstandingAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';

export const answerIgOutstanding = async (
  _deps: IgDeps,
  _input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: OutstandingAnswer } & Audited> => {
  throw new Error('not yet');
};
