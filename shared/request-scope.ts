import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEntry } from './domain/audit/audit-entry.ts';
import { PbxError } from './domain/errors.ts';

/**
 * TRANSITIONAL (issue 14, removed once the request and CDOP use cases return their committed entries): the
 * request and CDOP use cases still answer `{ statusCode, body }` and commit their entries inside their stores, so
 * their operations learn the entries committed for a call from this scope, which appendAudit fills. Every other
 * operation's use cases return their entries (`Audited`), and nothing else reads this scope.
 */
type RequestScope = { readonly requestId: string; readonly entries: AuditEntry[] };

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as the answer to one request: everything it awaits sees this scope, concurrent requests their own. */
export const runInRequestScope = <T>(requestId: string, fn: () => T): T =>
  storage.run({ requestId, entries: [] }, fn);

/** The id of the request being answered, or undefined outside one. */
export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;

/** Notes an audit entry that has committed for the current request (a no-op outside a request). */
export const noteAuditEntryCommitted = (entry: AuditEntry): void => {
  storage.getStore()?.entries.push(entry);
};

/**
 * Runs a request or CDOP use case that answers `{ statusCode, body }` and returns its answer with the entries it
 * committed; a refusal it recorded is carried on its error, as `auditedAction` does for the others.
 */
export const answeredInScope = async (
  run: () => Promise<{ statusCode: number; body: unknown }>,
): Promise<{ answer: never; status: never; audited: readonly AuditEntry[] }> => {
  const entries = storage.getStore()?.entries ?? [];
  const before = entries.length;
  try {
    const { statusCode, body } = await run();
    return { answer: body as never, status: statusCode as never, audited: entries.slice(before) };
  } catch (error) {
    const last = entries.length > before ? entries[entries.length - 1] : undefined;
    if (error instanceof PbxError && last !== undefined) error.audited = last;
    throw error;
  }
};
