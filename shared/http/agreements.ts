import { z } from 'zod';
import { DynamoAgreementStore } from '../adapters/dynamodb/agreement-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { loadConfig } from '../config.ts';
import { type AgreementRecord, standingOf } from '../domain/agreements/agreement.ts';
import { type AgreementDeps, changeAgreementStanding } from '../domain/agreements/manage-agreements.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { RegistryReader } from '../ports/registry-store.ts';
import { type AgreementView, apiOperations } from './api-contract.ts';
import { authenticationFromEnvironment } from './authentication.ts';
import { parseJsonBody } from './json-body.ts';
import { pathId, pathParameter } from './path-ids.ts';
import { signedRoute } from './signed-route.ts';

/**
 * What the agreement and decision routes need beside authentication: the agreement store (bound to the agreements
 * table, writing its audit entries into the audit table) and the registry reader authentication built.
 */
export const agreementsFromEnvironment = (
  auth: AuthenticationDeps & { registry: RegistryReader },
): AgreementDeps => {
  const config = loadConfig(['AGREEMENTS_TABLE_NAME', 'AUDIT_TABLE_NAME']);
  return {
    agreements: new DynamoAgreementStore(createDocumentClient(), {
      agreements: config.AGREEMENTS_TABLE_NAME,
      audit: config.AUDIT_TABLE_NAME,
    }),
    registry: auth.registry,
    audit: auth.audit,
    clock: auth.clock,
  };
};

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
export const versionParameter = (parameters: Record<string, string | undefined> | undefined): number => {
  const parsed = versionNumber.safeParse(pathParameter(parameters, 'version'));
  if (!parsed.success)
    throw new InputError('INVALID_INPUT', 'the version in the path is not a version number');
  return parsed.data;
};

const standingChangeRouteIds = {
  suspend: 'SuspendAgreement',
  resume: 'ResumeAgreement',
  revoke: 'RevokeAgreement',
} as const;

/**
 * The handler of `POST /v1/agreements/{agreementId}/suspend|resume|revoke`: the three routes differ only in the
 * change they ask for, so each route file is one line over this.
 */
export const standingChangeHandler = (change: keyof typeof standingChangeRouteIds) => {
  const auth = authenticationFromEnvironment();
  const deps = agreementsFromEnvironment(auth);
  const bodySchema = apiOperations[standingChangeRouteIds[change]].body;
  return signedRoute(auth, async (event, context) => {
    const body = parseJsonBody(event, bodySchema);
    const agreement = await changeAgreementStanding(deps, {
      principal: context.principal,
      agreementId: pathId(event.pathParameters, 'agreementId', 'agreement'),
      change,
      reason: body.reason,
    });
    return { statusCode: 200, body: { agreement: agreementView(agreement, deps.clock.now()) } };
  });
};
