import * as z from 'zod';
import { ConflictError, InputError } from '../errors.ts';
import { type AnalysisForm, analysisFormSchemas } from './analysis.ts';
import { issuePaths, type ReportingForm, reportingFormSchemas } from './reporting-form.ts';

/**
 * Onward reporting (issue 7): a closed case in the shape of the national child mortality database's forms, the
 * notification, every agency's reporting form and the panel's analysis, under an export version that names the
 * form versions it carries. The national database holds identifiable records (it links them by NHS number), so
 * the reporting forms go whole, part A included: this export is for the NCMD alone, under the child death review
 * gateway (CA2004-s16M), and never for publication or a neighbouring CDOP.
 *
 * The notification form belongs to the case (shared/domain/cdop/notification.ts); this module takes it as the
 * case holds it, with its schema version, and does not re-validate it. Pure: zod only.
 */

/** What an export version carries: the reporting and analysis form versions it accepts. */
export const ncmdExportVersions = {
  '2026': { reporting: '2026', analysis: '2026' },
} as const satisfies Record<
  string,
  { reporting: keyof typeof reportingFormSchemas; analysis: keyof typeof analysisFormSchemas }
>;
export type NcmdExportVersion = keyof typeof ncmdExportVersions;
export const ncmdExportVersionList = Object.keys(ncmdExportVersions) as NcmdExportVersion[];

const notificationShape = z.looseObject({ schemaVersion: z.string().min(1) });

const export2026 = z.strictObject({
  exportSchemaVersion: z.literal('2026'),
  caseId: z.string().min(1),
  cdopFootprintId: z.string().min(1),
  closedOn: z.iso.date(),
  notification: notificationShape,
  reporting: z.array(reportingFormSchemas['2026'].report),
  analysis: analysisFormSchemas['2026'],
});

export const ncmdExportSchemas = { '2026': export2026 } as const;
export type NcmdExport = z.infer<typeof export2026>;

/** The case as the export needs it. */
export type NcmdCase = {
  readonly caseId: string;
  readonly cdopFootprintId: string;
  readonly status: 'open' | 'closed';
  readonly closedOn?: string | undefined;
  /** The notification form as the case holds it, with the version it was written against. */
  readonly notification: { readonly schemaVersion: string } & Readonly<Record<string, unknown>>;
};

const isExportVersion = (version: string): version is NcmdExportVersion =>
  Object.hasOwn(ncmdExportVersions, version);

/**
 * The NCMD export of a closed case. 409 WRONG_STATE for a case that is not closed; 400 INVALID_INPUT for an
 * unknown export version, a form of another version than the export carries, or a report or analysis of another
 * case. Reports are sorted by agency.
 */
export const exportForNcmd = (
  caseRecord: NcmdCase,
  reports: readonly ReportingForm[],
  analysis: AnalysisForm,
  version: string,
): NcmdExport => {
  if (caseRecord.status !== 'closed' || caseRecord.closedOn === undefined) {
    throw new ConflictError('WRONG_STATE', 'only a closed case is exported to the NCMD', [
      'case status: open',
    ]);
  }
  if (!isExportVersion(version)) {
    throw new InputError('INVALID_INPUT', 'unknown NCMD export version', [
      `versions accepted: ${ncmdExportVersionList.join(', ')}`,
    ]);
  }
  const forms = ncmdExportVersions[version];
  const problems: string[] = [];
  for (const report of reports) {
    if (report.schemaVersion !== forms.reporting) {
      problems.push(
        `reporting form of ${report.agencyId}: version ${report.schemaVersion}, need ${forms.reporting}`,
      );
    }
    if (report.caseId !== caseRecord.caseId)
      problems.push(`reporting form of ${report.agencyId}: another case`);
  }
  if (analysis.schemaVersion !== forms.analysis) {
    problems.push(`analysis form: version ${analysis.schemaVersion}, need ${forms.analysis}`);
  }
  if (analysis.caseId !== caseRecord.caseId) problems.push('analysis form: another case');
  if (problems.length > 0)
    throw new InputError('INVALID_INPUT', 'the forms do not fit this export', problems);

  const candidate = {
    exportSchemaVersion: version,
    caseId: caseRecord.caseId,
    cdopFootprintId: caseRecord.cdopFootprintId,
    closedOn: caseRecord.closedOn,
    notification: caseRecord.notification,
    reporting: [...reports].sort((a, b) => (a.agencyId < b.agencyId ? -1 : a.agencyId > b.agencyId ? 1 : 0)),
    analysis,
  };
  return parseNcmdExport(candidate);
};

/** An export read back against the schema of the version it names; 400 INVALID_INPUT otherwise. */
export const parseNcmdExport = (value: unknown): NcmdExport => {
  const version =
    typeof value === 'object' && value !== null && 'exportSchemaVersion' in value
      ? String(value.exportSchemaVersion)
      : '';
  if (!isExportVersion(version)) {
    throw new InputError('INVALID_INPUT', 'unknown NCMD export version', [
      `versions accepted: ${ncmdExportVersionList.join(', ')}`,
    ]);
  }
  const parsed = ncmdExportSchemas[version].safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_INPUT',
      `not an NCMD export of version ${version}`,
      issuePaths(parsed.error),
    );
  }
  return parsed.data;
};
