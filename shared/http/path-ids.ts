import * as z from 'zod';
import { agreementSchema } from '../domain/agreements/agreement.ts';
import { alertIdSchema } from '../domain/alerts/alert.ts';
import { type AuditFacts, textSha256 } from '../domain/audit/audit-entry.ts';
import { caseIdSchema } from '../domain/cdop/case.ts';
import { NotFoundError } from '../domain/errors.ts';
import { keyId } from '../domain/registry/client-key.ts';
import { registryId } from '../domain/registry/registry.ts';

/** A path parameter API Gateway matched; absent only if the route table and the handler disagree (a bug). */
export const pathParameter = (
  parameters: Record<string, string | undefined> | undefined,
  name: string,
): string => {
  const value = parameters?.[name];
  if (value === undefined) throw new TypeError(`route has no path parameter ${name}`);
  return value;
};

/**
 * The well-formed shape of each kind of id a caller names in a path: what the exchange mints (ULIDs for requests
 * and cases, `isa-…` for agreements) or registers (registry slugs for organisations and clients, URL-safe key ids).
 */
export const idFormats = {
  request: caseIdSchema,
  'cdop-case': caseIdSchema,
  agreement: agreementSchema.shape.id,
  client: registryId,
  'client-key': keyId,
  organisation: registryId,
  'ig-restriction': caseIdSchema,
  alert: alertIdSchema,
  /** A request's challenge number, 1 and up. */
  challenge: z.string().regex(/^[1-9][0-9]{0,2}$/),
} satisfies Record<string, z.ZodType<string>>;
export type IdKind = keyof typeof idFormats;

export type AuditTarget = NonNullable<AuditFacts['target']>;

/**
 * What the log may say of an id a caller sent: the id itself when it is well formed, otherwise only the hex
 * SHA-256 of the raw text. A path segment can be any text (a name and an NHS number, say); the log is permanent
 * and its leaves cannot be redacted, so caller text that is not an id never enters it verbatim.
 */
export const targetOf = (type: string, raw: string, format: z.ZodType<string>): AuditTarget =>
  format.safeParse(raw).success ? { type, id: raw } : { type, malformedIdSha256: textSha256(raw) };

/**
 * A path id that is not well formed names nothing that exists: 404 NOT_FOUND, as an unknown well-formed id is. It
 * carries the target as the log may record it, for the answer's audit entry (shared/http/operation-handler.ts).
 */
export class MalformedIdError extends NotFoundError {
  readonly target: AuditTarget;
  constructor(target: AuditTarget) {
    super('NOT_FOUND', `there is no ${target.type} with that id: it is not well formed`);
    this.target = target;
  }
}

/**
 * The `{name}` path parameter as an id of `kind`, checked before any use case sees it: the one place where a path
 * id becomes an audit target. Throws MalformedIdError when it is not well formed.
 */
export const pathId = (
  parameters: Record<string, string | undefined> | undefined,
  name: string,
  kind: IdKind,
): string => {
  const raw = pathParameter(parameters, name);
  const target = targetOf(kind, raw, idFormats[kind]);
  if (target.id === undefined) throw new MalformedIdError(target);
  return target.id;
};
