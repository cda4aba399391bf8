import * as z from 'zod';
import { type AgreementRecord, standingOf } from '../domain/agreements/agreement.ts';
import { type AgreementDeps, changeAgreementStanding } from '../domain/agreements/manage-agreements.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { AgreementView } from './api-contract.ts';
import { signedOperation } from './operation-handler.ts';
import type { Operations } from './operations.ts';
import type { Runtime } from './runtime.ts';
import { agreementStore } from './stores.ts';

/**
 * What the agreement and decision operations need: the agreement store (bound to the agreements table, writing
 * its audit entries into the audit table), the registry, the audit log and the clock.
 */
export const agreementDependencies = (runtime: Runtime): AgreementDeps => ({
  agreements: agreementStore(runtime),
  registry: runtime.registry,
  audit: runtime.audit,
  clock: runtime.clock,
});

/** An agreement as the API answers it: the record, every version, and where it stands at `now`. */
export const agreementView = (agreement: AgreementRecord, now: Date): AgreementView => {
  const standing = standingOf(agreement, now);
  return {
    ...agreement,
    versions: [...agreement.versions],
    standing: {
      state: standing.state,
      ...(standing.version === undefined ? {} : { version: standing.version.version }),
      ...(standing.state === 'in-force' ? { reviewOverdue: standing.reviewOverdue } : {}),
    },
  };
};

/** `GET /v1/agreements/{agreementId}`: 404 NOT_FOUND when there is none. */
export const showAgreement = async (
  deps: Pick<AgreementDeps, 'agreements' | 'clock'>,
  agreementId: string,
): Promise<AgreementView> => {
  const agreement = await deps.agreements.getAgreement(agreementId);
  if (agreement === undefined) throw new NotFoundError('NOT_FOUND', `no agreement ${agreementId}`);
  return agreementView(agreement, deps.clock.now());
};

const versionNumber = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/)
  .transform(Number);

/** The `{version}` path parameter as a version number; 400 INVALID_INPUT when it is not one. */
export const versionNumberOf = (parameter: string): number => {
  const parsed = versionNumber.safeParse(parameter);
  if (!parsed.success)
    throw new InputError('INVALID_INPUT', 'the version in the path is not a version number');
  return parsed.data;
};

/**
 * The handler of `POST /v1/agreements/{agreementId}/suspend|resume|revoke`: the three operations differ only in
 * the change they ask for, so each handler file is one line over this.
 */
export const standingChangeHandler = (
  operation: Operations['SuspendAgreement' | 'ResumeAgreement' | 'RevokeAgreement'],
  change: 'suspend' | 'resume' | 'revoke',
) =>
  signedOperation(operation, agreementDependencies, async (deps, call) => {
    const { agreement, audited } = await changeAgreementStanding(deps, {
      principal: call.principal,
      agreementId: call.pathId('agreementId', 'agreement'),
      change,
      reason: call.body.reason,
    });
    return { answer: { agreement: agreementView(agreement, deps.clock.now()) }, audited };
  });
