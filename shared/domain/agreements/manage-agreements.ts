import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import { type Audited, type AuditFacts, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, InputError, NotFoundError } from '../errors.ts';
import { ulid } from '../ids.ts';
import {
  type Agreement,
  type AgreementContent,
  type AgreementRecord,
  type AgreementVersion,
  agreementContentSchema,
  contentHashOf,
  footprintKindsFor,
  governingParties,
} from './agreement.ts';

export type AgreementDeps = {
  readonly agreements: AgreementStore;
  readonly registry: Pick<RegistryReader, 'loadRegistry' | 'getOrganisation'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

const governanceRoles = ['ig-lead', 'caldicott-guardian'] as const;
type SigningRole = (typeof governanceRoles)[number];

const signingRoleOf = (principal: Principal): SigningRole | undefined =>
  governanceRoles.find((r) => principal.user?.roles.includes(r));

const isOperator = async (deps: Pick<AgreementDeps, 'registry'>, principal: Principal): Promise<boolean> =>
  principal.user?.roles.includes('operator') === true &&
  (await deps.registry.getOrganisation(principal.organisationId))?.kind === 'exchange-operator';

/** Drafting and governing an agreement is for a party's IG lead or Caldicott guardian (or the operator). */
const authoriseGovernance = async (deps: AgreementDeps, principal: Principal, parties: readonly string[]) => {
  if (signingRoleOf(principal) !== undefined && parties.includes(principal.organisationId)) return;
  if (await isOperator(deps, principal)) return;
  throw new AuthorisationError('NOT_PERMITTED', 'you may not govern this agreement', [
    "agreements are governed by a party's IG lead or Caldicott guardian (sub with that role), or the operator",
  ]);
};

/**
 * Checks what a schema cannot: the footprint and parties exist, and every purpose may be agreed across a
 * footprint of that kind (a child death review purpose only across a CDOP footprint).
 */
const validateContent = async (deps: AgreementDeps, input: unknown): Promise<AgreementContent> => {
  const parsed = agreementContentSchema.safeParse(input);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_AGREEMENT',
      'the agreement is not valid',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'agreement'}: ${i.message}`),
    );
  }
  const content = parsed.data;
  const registry = await deps.registry.loadRegistry();
  const problems: string[] = [];
  const footprint = registry.footprints.find((f) => f.id === content.footprintId);
  if (footprint === undefined) problems.push(`footprintId: no footprint ${content.footprintId}`);
  for (const party of content.parties) {
    if (!registry.organisations.some((o) => o.id === party))
      problems.push(`parties: no organisation ${party}`);
  }
  for (const purpose of content.purposes) {
    if (footprint !== undefined && !footprintKindsFor(purpose.code).includes(footprint.kind)) {
      problems.push(`purposes: ${purpose.code} cannot be agreed across a ${footprint.kind} footprint`);
    }
  }
  if (problems.length > 0) throw new InputError('INVALID_AGREEMENT', 'the agreement is not valid', problems);
  return content;
};

const newVersion = (
  agreementId: string,
  version: number,
  content: AgreementContent,
  principal: Principal,
  now: Date,
): AgreementVersion => ({
  agreementId,
  version,
  content,
  contentHash: contentHashOf(content),
  createdAt: now.toISOString(),
  createdBy: principal.user?.id ?? principal.clientId,
  signatures: [],
});

const facts = (principal: Principal, action: string, agreementId: string): Omit<AuditFacts, 'outcome'> => ({
  ...callerFacts(principal),
  action,
  target: { type: 'agreement', id: agreementId },
});

const mustGet = async (deps: AgreementDeps, agreementId: string): Promise<AgreementRecord> => {
  const agreement = await deps.agreements.getAgreement(agreementId);
  if (agreement === undefined) throw new NotFoundError('NOT_FOUND', `no agreement ${agreementId}`);
  return agreement;
};

/** Drafts a new agreement as its version 1, awaiting every party's signature. */
export const createAgreement = (
  deps: AgreementDeps,
  input: { principal: Principal; id?: string; content: unknown },
): Promise<{ agreement: AgreementRecord } & Audited> => {
  const agreementId = input.id ?? `isa-${ulid().toLowerCase()}`;
  return auditedAction(deps, facts(input.principal, 'agreement.create', agreementId), async () => {
    const content = await validateContent(deps, input.content);
    await authoriseGovernance(deps, input.principal, content.parties);
    const now = deps.clock.now();
    const agreement: Agreement = { id: agreementId, latestVersion: 1 };
    const version = newVersion(agreementId, 1, content, input.principal, now);
    const entry = newAuditEntry(
      { ...facts(input.principal, 'agreement.create', agreementId), outcome: 'allowed' },
      now,
    );
    const created = await deps.agreements.createAgreement(agreement, version, entry);
    if (!created) throw new ConflictError('ALREADY_EXISTS', `an agreement ${agreementId} exists`);
    return { agreement: { ...agreement, versions: [version] }, audited: [entry] };
  });
};

/** Proposes a changed agreement as a new version; the version in force stays in force until this one is signed. */
export const proposeVersion = (
  deps: AgreementDeps,
  input: { principal: Principal; agreementId: string; content: unknown },
): Promise<{ version: AgreementVersion } & Audited> =>
  auditedAction(deps, facts(input.principal, 'agreement.version.propose', input.agreementId), async () => {
    const existing = await mustGet(deps, input.agreementId);
    if (existing.revoked !== undefined)
      throw new ConflictError('AGREEMENT_CLOSED', 'the agreement is revoked');
    // Only those who govern the agreement now may propose a change, whoever the change would add.
    const now = deps.clock.now();
    await authoriseGovernance(deps, input.principal, governingParties(existing, now));
    const content = await validateContent(deps, input.content);
    const number = existing.latestVersion + 1;
    const version = newVersion(existing.id, number, content, input.principal, now);
    const entry = newAuditEntry(
      { ...facts(input.principal, 'agreement.version.propose', existing.id), outcome: 'allowed' },
      now,
    );
    const added = await deps.agreements.addVersion({ ...existing, latestVersion: number }, version, entry);
    if (!added)
      throw new ConflictError('CONFLICT', 'another version was proposed meanwhile; read it and try again');
    return { version, audited: [entry] };
  });

/**
 * A party's IG lead or Caldicott guardian signs the exact content hash of a version. When the last party signs,
 * the version becomes active.
 */
export const signVersion = (
  deps: AgreementDeps,
  input: { principal: Principal; agreementId: string; version: number; contentHash: string },
): Promise<{ version: AgreementVersion } & Audited> =>
  auditedAction(
    deps,
    facts(input.principal, 'agreement.version.sign', `${input.agreementId}/v${input.version}`),
    async () => {
      const agreement = await mustGet(deps, input.agreementId);
      if (agreement.revoked !== undefined)
        throw new ConflictError('AGREEMENT_CLOSED', 'the agreement is revoked');
      const version = agreement.versions.find((v) => v.version === input.version);
      if (version === undefined) throw new NotFoundError('NOT_FOUND', `no version ${input.version}`);
      const role = signingRoleOf(input.principal);
      const user = input.principal.user;
      if (
        role === undefined ||
        user === undefined ||
        !version.content.parties.includes(input.principal.organisationId)
      ) {
        throw new AuthorisationError('NOT_PERMITTED', 'you may not sign this agreement', [
          'each party signs through its IG lead or Caldicott guardian (sub with that role)',
        ]);
      }
      if (input.contentHash !== version.contentHash) {
        throw new ConflictError('CONTENT_HASH_MISMATCH', 'the content hash signed is not this version’s', [
          `this version's content hash is ${version.contentHash}`,
        ]);
      }
      if (version.signatures.some((s) => s.organisationId === input.principal.organisationId)) {
        throw new ConflictError('ALREADY_SIGNED', 'your organisation has signed this version');
      }
      const now = deps.clock.now();
      const signatures = [
        ...version.signatures,
        {
          organisationId: input.principal.organisationId,
          userId: user.id,
          role,
          clientId: input.principal.clientId,
          contentHash: version.contentHash,
          signedAt: now.toISOString(),
          requestHash: input.principal.requestHash,
        },
      ];
      const complete = version.content.parties.every((p) => signatures.some((s) => s.organisationId === p));
      const next: AgreementVersion = {
        ...version,
        signatures,
        ...(complete ? { activatedAt: now.toISOString() } : {}),
      };
      const entry = newAuditEntry(
        {
          ...facts(
            input.principal,
            complete ? 'agreement.version.activate' : 'agreement.version.sign',
            `${agreement.id}/v${version.version}`,
          ),
          agreement: { id: agreement.id, version: version.version },
          outcome: 'allowed',
        },
        now,
      );
      const saved = await deps.agreements.updateVersion(next, version.signatures.length, entry);
      if (!saved) throw new ConflictError('CONFLICT', 'another party signed meanwhile; try again');
      return { version: next, audited: [entry] };
    },
  );

/**
 * Suspends, resumes or revokes an agreement (revocation is final). Every later step of a request made under it is
 * judged against the new standing (shared/domain/agreements/agreement-in-force.ts): suspension pauses them, resuming
 * restores them, revocation ends them. A revocation's write also puts the agreement on the revocations work list
 * (AgreementStore `updateAgreement`), from which the request sweeper closes its open requests, each as a system
 * step of its own: this answer keeps its one audit entry.
 */
export const changeAgreementStanding = (
  deps: AgreementDeps,
  input: {
    principal: Principal;
    agreementId: string;
    change: 'suspend' | 'resume' | 'revoke';
    reason: string;
  },
): Promise<{ agreement: AgreementRecord } & Audited> =>
  auditedAction(deps, facts(input.principal, `agreement.${input.change}`, input.agreementId), async () => {
    const agreement = await mustGet(deps, input.agreementId);
    const now = deps.clock.now();
    await authoriseGovernance(deps, input.principal, governingParties(agreement, now));
    if (agreement.revoked !== undefined)
      throw new ConflictError('AGREEMENT_CLOSED', 'the agreement is revoked');
    const event = {
      at: now.toISOString(),
      by: input.principal.user?.id ?? input.principal.clientId,
      reason: input.reason,
    };
    const { versions, ...current } = agreement;
    const { suspended: _suspended, ...withoutSuspension } = current;
    const next: Agreement =
      input.change === 'suspend'
        ? { ...current, suspended: event }
        : input.change === 'resume'
          ? withoutSuspension
          : { ...current, revoked: event };
    const entry = newAuditEntry(
      { ...facts(input.principal, `agreement.${input.change}`, agreement.id), outcome: 'allowed' },
      now,
    );
    const saved = await deps.agreements.updateAgreement(current, next, entry);
    if (!saved) throw new ConflictError('CONFLICT', 'the agreement changed meanwhile; read it and try again');
    return { agreement: { ...next, versions }, audited: [entry] };
  });
