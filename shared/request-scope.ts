import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the exchange knows about the request it is answering, wherever in the call chain it is asked: the API
 * Gateway request id that binds audit entries to one answer, how many audit entries have committed for it, and
 * whether an audit write for it has already failed. The route factories (shared/http/route.ts) open one scope per
 * invocation; code outside a request (schedules, seeding) runs in none.
 */
export type RequestScope = { readonly requestId: string; auditEntries: number; recordingFailed?: boolean };

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as the answer to one request: everything it awaits sees this scope, concurrent requests their own. */
export const runInRequestScope = <T>(requestId: string, fn: () => T): T =>
  storage.run({ requestId, auditEntries: 0 }, fn);

/** The scope of the request being answered, or undefined outside one. */
export const currentRequestScope = (): RequestScope | undefined => storage.getStore();

/** Counts an audit entry that has committed for the current request (a no-op outside a request). */
export const noteAuditEntryCommitted = (): void => {
  const scope = storage.getStore();
  if (scope !== undefined) scope.auditEntries += 1;
};

/** Marks that an audit write for the current request failed, so the answer is not audited a second time. */
export const noteAuditRecordingFailed = (): void => {
  const scope = storage.getStore();
  if (scope !== undefined) scope.recordingFailed = true;
};
