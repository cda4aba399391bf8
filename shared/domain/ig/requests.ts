import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { RequestGrouping, RequestPeriodKind, RequestsAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';

export const answerIgRequests = async (
  _deps: IgDeps,
  _input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
    readonly by?: RequestPeriodKind | undefined;
    readonly group?: RequestGrouping | undefined;
  },
): Promise<{ readonly answer: RequestsAnswer } & Audited> => {
  throw new Error('not yet');
};
