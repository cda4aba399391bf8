import { openCdopCase } from '#shared/domain/cdop/open-case.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { openCdopCaseAnswerOf } from '#shared/http/views/cdop.ts';

/** Opens a CDOP case on notification of a death (201), or passes it on to the CDOP of the child's residence (200). */
export const handler = signedOperation(operations.OpenCdopCase, caseDependencies, async (deps, call) => {
  const result = await openCdopCase(deps, {
    principal: call.principal,
    notification: call.body.notification,
    call: call.idempotentCall,
  });
  return {
    answer: openCdopCaseAnswerOf(result, deps.clock.now()),
    audited: result.audited,
    ...(result.kind === 'notify-instead' ? { status: 200 } : {}),
  };
});
