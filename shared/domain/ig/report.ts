import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { ReportAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';

export const answerIgReport = async (
  _deps: IgDeps,
  _input: { readonly principal: Principal; readonly quarter: string; readonly footprint: string },
): Promise<{ readonly answer: ReportAnswer } & Audited> => {
  throw new Error('not yet');
};
