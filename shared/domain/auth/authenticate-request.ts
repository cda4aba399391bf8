import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import { newAuditEntry } from '../audit/audit-entry.ts';
import {
  type Principal,
  type SignedRequestInput,
  SignedRequestRefusal,
  type VerificationDeps,
  verifySignedRequest,
} from './verify-signed-request.ts';

export type AuthenticationDeps = VerificationDeps & {
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly exchangeId: string;
};

/**
 * Authenticates a request; a refusal is recorded in the audit log, with its reason code, before it is answered.
 * The entry names the route and the hash of the token, and the issuer the token claimed (unverified, and marked so).
 */
export const authenticateRequest = async (
  deps: AuthenticationDeps,
  input: SignedRequestInput & { readonly route: string },
): Promise<Principal> => {
  const now = deps.clock.now();
  try {
    return await verifySignedRequest(deps, input, { exchangeId: deps.exchangeId, now });
  } catch (error) {
    if (!(error instanceof SignedRequestRefusal)) throw error;
    const { claimedIssuer, requestHash } = error.context;
    await deps.audit.record(
      newAuditEntry(
        {
          actor: {
            kind: 'anonymous',
            ...(claimedIssuer === undefined ? {} : { claimedClientId: claimedIssuer }),
          },
          action: 'request.authenticate',
          target: { type: 'route', id: input.route },
          outcome: 'refused',
          reasonCodes: [error.error.code],
          ...(requestHash === undefined ? {} : { requestHash }),
        },
        now,
      ),
    );
    throw error.error;
  }
};
