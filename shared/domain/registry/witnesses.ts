import * as z from 'zod';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { WitnessRegistry } from '../../ports/witness-registry.ts';
import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditReaderRoles } from '../audit/audit-proofs.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import { NoteError, type NoteVerifier } from '../audit/signed-note.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, InputError } from '../errors.ts';
import { registryId, userId } from './registry.ts';

/**
 * A witness of the audit log (c2sp.org/tlog-witness): an organisation's own key that cosigns checkpoints. The
 * exchange accepts a cosignature only from a registered witness, under its own name, sent by an IG lead of the
 * organisation that registered it, so no organisation can speak for another's witness.
 */

/**
 * A note key name (c2sp.org/signed-note: no spaces or pluses), kept to characters that read in an audit entry and
 * a URL: letters, digits and `. _ - : /`, as `lb-brent-witness` or `witness.example.org/w1`.
 */
export const witnessName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, 'a witness key name');

export const witnessSchema = z.object({
  name: witnessName,
  /** The witness's note verifier key (`name+hash+base64`): the key its cosignature lines verify with. */
  verifierKey: z.string().min(1).max(1024),
  organisationId: registryId,
  registeredBy: userId,
  registeredAt: z.iso.datetime(),
});
export type Witness = z.infer<typeof witnessSchema>;

/** Who registers a witness, and cosigns with it: the IG lead of the witness's own organisation. */
export const witnessManagerRole = 'ig-lead';

export type WitnessDeps = {
  readonly witnesses: WitnessRegistry;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** The log's own checkpoint key name (the exchange id): never a witness. */
  readonly logKeyName: string;
  /** Decodes a note verifier key string; throws a NoteError if it is not one. */
  readonly witnessVerifier: (verifierKey: string) => NoteVerifier;
};

/**
 * `POST /v1/audit/witnesses`: an IG lead registers their organisation's witness, its name and verifier key. The key
 * must be a note verifier key of that name; a name is registered once (a new key is a new witness name). Audited
 * as `audit.witness.register`, in one transaction with the record.
 */
export const registerWitness = (
  deps: WitnessDeps,
  input: { readonly principal: Principal; readonly name: string; readonly verifierKey: string },
): Promise<{ witness: Witness } & Audited> => {
  const facts = {
    ...callerFacts(input.principal),
    action: 'audit.witness.register',
    target: { type: 'audit-witness', id: input.name },
  };
  return auditedAction(deps, facts, async () => {
    const user = input.principal.user;
    if (user === undefined || !user.roles.includes(witnessManagerRole)) {
      throw new AuthorisationError(
        'NOT_PERMITTED',
        "an organisation's witness is registered by its IG lead",
        [`role needed: ${witnessManagerRole}`],
      );
    }
    let verifier: NoteVerifier;
    try {
      verifier = deps.witnessVerifier(input.verifierKey);
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      throw new InputError('INVALID_INPUT', 'the verifier key is not a note verifier key', [error.code]);
    }
    if (verifier.name !== input.name) {
      throw new InputError('INVALID_INPUT', 'the verifier key is of another name', ['NAME_MISMATCH']);
    }
    if (input.name === deps.logKeyName) {
      throw new InputError('INVALID_INPUT', "the log's own key name is not a witness", ['NOT_A_WITNESS']);
    }
    const now = deps.clock.now();
    const witness: Witness = {
      name: input.name,
      verifierKey: input.verifierKey,
      organisationId: input.principal.organisationId,
      registeredBy: user.id,
      registeredAt: now.toISOString(),
    };
    const entry = newAuditEntry({ ...facts, outcome: 'allowed' }, now);
    const { created } = await deps.witnesses.createWitness(witness, entry);
    if (!created) throw new ConflictError('ALREADY_EXISTS', `a witness named ${input.name} is registered`);
    return { witness, audited: [entry] };
  });
};

/** `GET /v1/audit/witnesses`: the registered witnesses, for anyone who reads the audit log (keys are public). */
export const listWitnesses = async (
  deps: { readonly witnesses: Pick<WitnessRegistry, 'listWitnesses'> },
  principal: Principal,
): Promise<Witness[]> => {
  if (!principal.user?.roles.some((role) => auditReaderRoles.includes(role))) {
    throw new AuthorisationError('NOT_PERMITTED', 'the witness list is for audit readers', [
      `roles allowed: ${auditReaderRoles.join(', ')}`,
    ]);
  }
  return deps.witnesses.listWitnesses();
};
