import { InputError } from '../errors.ts';
import type { DataRequest } from '../requests/data-request.ts';
import { parseStrictJson } from '../strict-json.ts';
import type { CdopCase } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { requestsOf } from './case-step.ts';
import { parseReport, type ReportingForm, schemaVersionOf } from './reporting-form.ts';

/** The largest report the exchange reads back to assemble a pack (a reporting form is a few tens of KiB). */
const maxReportBytes = 2 * 1024 * 1024;

export type CaseReports = {
  readonly requests: DataRequest[];
  readonly reports: ReportingForm[];
  readonly unreadable: { organisationId: string; problems: string[] }[];
};

/** The problems of a share that is not a reporting form: its parser's details (paths and codes, never values). */
const problemsOf = (error: unknown): string[] => {
  const details = error instanceof InputError ? (error.details ?? []) : [];
  return details.length > 0 ? [...details] : ['not a reporting form'];
};

/**
 * The reports received on a case: each released share read back and parsed at this boundary as a reporting form
 * of this case and this agency (another organisation's bytes: UTF-8 JSON as strict as a signed body, then the
 * form's schema). A share that is not one is listed as unreadable, with the problem (never a value from it).
 */
export const readCaseReports = async (
  deps: Pick<CaseDeps, 'requests' | 'payloads'>,
  c: CdopCase,
): Promise<CaseReports> => {
  const requests = await requestsOf(deps, [c]);
  const reports: ReportingForm[] = [];
  const unreadable: { organisationId: string; problems: string[] }[] = [];
  for (const agency of c.agencies) {
    const request = requests.find((r) => r.id === agency.requestId);
    const share = request?.share;
    if (request?.status !== 'released' || share === undefined || share.deletedAt !== undefined) continue;
    const bytes = await deps.payloads.read(share.objectKey, maxReportBytes);
    if (bytes === undefined) {
      unreadable.push({ organisationId: agency.organisationId, problems: ['the released bytes are gone'] });
      continue;
    }
    let value: unknown;
    try {
      value = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      unreadable.push({
        organisationId: agency.organisationId,
        problems: ['not UTF-8 JSON without repeats'],
      });
      continue;
    }
    let report: ReportingForm;
    try {
      report = parseReport(schemaVersionOf(value), value);
    } catch (error) {
      unreadable.push({ organisationId: agency.organisationId, problems: problemsOf(error) });
      continue;
    }
    const problems = [
      ...(report.caseId === c.id ? [] : ['caseId: another case']),
      ...(report.agencyId === agency.organisationId ? [] : ['agencyId: another agency']),
    ];
    if (problems.length > 0) unreadable.push({ organisationId: agency.organisationId, problems });
    else reports.push(report);
  }
  return { requests, reports, unreadable };
};
