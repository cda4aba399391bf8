import * as z from 'zod';
import { InputError } from '../errors.ts';
import { distinctList } from '../input-limits.ts';
import { issuePaths } from './reporting-form.ts';

/**
 * The CDOP panel's analysis form (issue 7 "Analysis and closure"): the category of death, whether modifiable
 * factors were found and in which domains, and the learning themes. Versioned like the reporting form: the
 * national forms are revised yearly. Pure: zod only.
 */

/** The ten national categories of death a CDOP assigns, in the national form's order. */
export const deathCategories = {
  'deliberately-inflicted-injury-abuse-neglect': 'Deliberately inflicted injury, abuse or neglect',
  'suicide-or-self-harm': 'Suicide or deliberate self-inflicted harm',
  'trauma-and-external-factors': 'Trauma and other external factors',
  malignancy: 'Malignancy',
  'acute-medical-or-surgical': 'Acute medical or surgical condition',
  'chronic-medical': 'Chronic medical condition',
  'chromosomal-genetic-congenital': 'Chromosomal, genetic and congenital anomalies',
  'perinatal-neonatal-event': 'Perinatal or neonatal event',
  infection: 'Infection',
  'sudden-unexpected-unexplained': 'Sudden unexpected, unexplained death',
} as const;
export type DeathCategory = keyof typeof deathCategories;
export const deathCategoryCodes = Object.keys(deathCategories) as [DeathCategory, ...DeathCategory[]];

/** The domains in which a panel records modifiable factors. */
export const modifiableFactorDomains = {
  child: 'Factors intrinsic to the child',
  'social-environment': 'Factors in the social environment, including family and parenting capacity',
  'physical-environment': 'Factors in the physical environment',
  'service-provision': 'Factors in service provision',
} as const;
export type ModifiableFactorDomain = keyof typeof modifiableFactorDomains;
const domainCodes = Object.keys(modifiableFactorDomains) as [
  ModifiableFactorDomain,
  ...ModifiableFactorDomain[],
];

/**
 * Learning-theme codes: this exchange's working list (brief 4.2 item 6, themed panels), to be agreed with the
 * CDOPs. Only the codes travel to a neighbouring CDOP; the panel's free text never does.
 */
export const learningThemes = {
  'safer-sleeping': 'Safer sleeping',
  'smoking-in-pregnancy-or-home': 'Smoking in pregnancy or in the home',
  'maternal-health': 'Maternal health, including obesity',
  'water-safety': 'Water safety',
  'road-safety': 'Road safety',
  'mental-health-support': 'Mental health support for children and young people',
  'substance-use': 'Substance use',
  'recognition-of-deterioration': 'Recognition of a deteriorating child',
  'information-sharing': 'Information sharing between agencies',
  'access-to-services': 'Access to services',
  'bereavement-support': 'Support for bereaved families',
  'genetic-counselling': 'Genetic counselling and consanguinity',
  other: 'Other',
} as const;
export type LearningTheme = keyof typeof learningThemes;
const themeCodes = Object.keys(learningThemes) as [LearningTheme, ...LearningTheme[]];

const text = z.string().trim().min(1).max(20_000);

const analysis2026 = z.strictObject({
  schemaVersion: z.literal('2026'),
  caseId: z.string().trim().min(1).max(200),
  /** The day of the panel meeting that reviewed the case. */
  panelDate: z.iso.date(),
  categoryOfDeath: z.enum(deathCategoryCodes),
  modifiableFactors: z.discriminatedUnion('identified', [
    z.strictObject({ identified: z.literal(false) }),
    z.strictObject({
      identified: z.literal(true),
      domains: distinctList(z.enum(domainCodes), domainCodes.length, 'domains'),
      detail: text.optional(),
    }),
  ]),
  learningThemes: z.array(z.strictObject({ code: z.enum(themeCodes), detail: text.optional() })).max(30),
  summary: text.optional(),
});

export const analysisFormSchemas = { '2026': analysis2026 } as const;
export type AnalysisFormVersion = keyof typeof analysisFormSchemas;
export const analysisFormVersions = Object.keys(analysisFormSchemas) as AnalysisFormVersion[];
export type AnalysisForm = z.infer<typeof analysis2026>;

export const isAnalysisFormVersion = (version: string): version is AnalysisFormVersion =>
  Object.hasOwn(analysisFormSchemas, version);

/** An analysis form parsed against its version's schema; 400 INVALID_INPUT otherwise (paths only, no values). */
export const parseAnalysis = (version: string, value: unknown): AnalysisForm => {
  if (!isAnalysisFormVersion(version)) {
    throw new InputError('INVALID_INPUT', 'unknown analysis-form version', [
      `versions accepted: ${analysisFormVersions.join(', ')}`,
    ]);
  }
  const parsed = analysisFormSchemas[version].safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      'INVALID_INPUT',
      `not an analysis form of version ${version}`,
      issuePaths(parsed.error),
    );
  }
  return parsed.data;
};

// --- Closure --------------------------------------------------------------------------------------------------

/** What the closure rule needs of a case: nothing more, so the case record can change without touching it. */
export type ClosableCase = {
  readonly caseId: string;
  readonly status: 'open' | 'closed';
};

export type ClosureProblem =
  | 'CASE_NOT_OPEN'
  | 'ANALYSIS_MISSING'
  | 'ANALYSIS_FOR_ANOTHER_CASE'
  | 'PANEL_DATE_AFTER_CLOSURE';

/** Every reason a case may not close now; none means it may. A case closes only with the panel's analysis. */
export const closureProblems = (
  caseState: ClosableCase,
  analysis: AnalysisForm | undefined,
  closedOn: string,
): ClosureProblem[] => {
  const problems: ClosureProblem[] = [];
  if (caseState.status !== 'open') problems.push('CASE_NOT_OPEN');
  if (analysis === undefined) problems.push('ANALYSIS_MISSING');
  else {
    if (analysis.caseId !== caseState.caseId) problems.push('ANALYSIS_FOR_ANOTHER_CASE');
    if (analysis.panelDate > closedOn) problems.push('PANEL_DATE_AFTER_CLOSURE');
  }
  return problems;
};
