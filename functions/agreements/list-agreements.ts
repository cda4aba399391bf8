import { agreementDependencies, agreementView } from '#shared/http/agreements.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = signedOperation(operations.ListAgreements, agreementDependencies, async (deps) => {
  const agreements = await deps.agreements.listAgreements();
  const now = deps.clock.now();
  return { answer: { agreements: agreements.map((a) => agreementView(a, now)) }, audited: [] };
});
