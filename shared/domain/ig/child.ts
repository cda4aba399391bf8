import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { ChildAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';

export const answerIgChild = async (
  _deps: IgDeps,
  _input: { readonly principal: Principal; readonly subjectRefs: readonly string[] },
): Promise<{ readonly answer: ChildAnswer } & Audited> => {
  throw new Error('not yet');
};
