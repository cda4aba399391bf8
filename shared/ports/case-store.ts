import type { CdopCase } from '../domain/cdop/case.ts';
import type { DataRequestBody } from '../domain/requests/data-request.ts';
import type { IdempotencyRecord } from '../domain/requests/idempotency.ts';
import type { SignedCopy } from './request-store.ts';
import type { StepRecord } from './step-record.ts';

/**
 * One signed call that asked agencies for their reports: the data requests it permitted, each with the id it was
 * given, from which the case tracker creates them (functions/cdop/track-cases.ts). The signed copy becomes each
 * request's record of what asked for it; the ask stays with the case as the record of the call.
 */
export type ReportAsk = {
  readonly askId: string;
  readonly caseId: string;
  readonly requester: { readonly organisationId: string; readonly clientId: string; readonly userId: string };
  readonly requestHash: string;
  readonly signed: SignedCopy;
  readonly requests: readonly {
    readonly requestId: string;
    readonly agreement: { readonly id: string; readonly version: number };
    readonly body: DataRequestBody;
    readonly dueAt: string;
  }[];
};

export type CaseStore = {
  getCase(caseId: string): Promise<CdopCase | undefined>;
  /** Every case a CDOP holds, newest first. */
  listCases(cdopOrganisationId: string): Promise<CdopCase[]>;
  /** Every open case of every CDOP (the tracker's work). */
  listOpenCases(): Promise<CdopCase[]>;
  getIdempotency(clientId: string, key: string): Promise<IdempotencyRecord | undefined>;
  getAsk(caseId: string, askId: string): Promise<ReportAsk | undefined>;
  /** A new case; false if one with its id exists, the CDOP has the child's case open, or the key was taken. */
  create(cdopCase: CdopCase, step: StepRecord): Promise<boolean>;
  /**
   * The next revision of a case, if the stored one is still `previous`, with the ask that led to it (if any);
   * false if a condition failed.
   */
  update(previous: CdopCase, next: CdopCase, step: StepRecord, ask?: ReportAsk): Promise<boolean>;
  /** A step that changes no case (a notification passed on to another CDOP): its entry, events and key. */
  record(step: StepRecord): Promise<boolean>;
};
