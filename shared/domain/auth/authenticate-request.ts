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
  input: SignedRequestInput & { readonly route: string; readonly callId?: string },
): Promise<Principal> => {
  const now = deps.clock.now();
  try {
    const principal = await verifySignedRequest(deps, input, { exchangeId: deps.exchangeId, now });
    // The principal is this call's own: adding to it copies nothing (verify-signed-request.ts on object spread).
    return input.callId === undefined ? principal : Object.assign(principal, { callId: input.callId });
  } catch (error) {
    if (!(error instanceof SignedRequestRefusal)) throw error;
    const { claimedIssuer, claimedKeyId, requestHash } = error.context;
    const entry = newAuditEntry(
      {
        actor: {
          kind: 'anonymous',
          ...(claimedIssuer === undefined ? {} : { claimedClientId: claimedIssuer }),
          ...(claimedKeyId === undefined ? {} : { claimedKeyId }),
        },
        action: 'request.authenticate',
        target: { type: 'route', id: input.route },
        outcome: 'refused',
        reasonCodes: [error.error.code],
        ...(requestHash === undefined ? {} : { requestHash }),
        ...(input.callId === undefined ? {} : { requestId: input.callId }),
      },
      now,
    );
    await deps.audit.record(entry);
    error.error.audited = entry;
    throw error.error;
  }
};
