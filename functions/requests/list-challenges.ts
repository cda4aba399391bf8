import { listChallenges } from '#shared/domain/challenges/list-challenges.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestDependencies } from '#shared/http/requests.ts';
import { challengeListAnswerOf } from '#shared/http/views/challenges.ts';

export const handler = signedOperation(operations.ListChallenges, requestDependencies, async (deps, call) => {
  const listed = await listChallenges(deps, {
    principal: call.principal,
    requestId: call.pathId('requestId', 'request'),
  });
  return { answer: challengeListAnswerOf(listed), audited: listed.audited };
});
