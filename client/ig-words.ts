import { purposes } from '#shared/domain/agreements/catalogue.ts';
import type { RestrictionReasonCode } from '#shared/domain/ig/restriction.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';

/**
 * The words a child's records are read in, by an IG lead or by the child and their representative in a subject
 * access report (docs/IG.md, "Who looked at this child, and subject access"): what each action touching a child's
 * data did, who does each role, and why an entry may be restricted. One definition for `pbx ig child` and the
 * console. An action or code not named here is shown as it is.
 */

/** Each audit action that can carry a child's subject reference, as a sentence of what happened. */
export const actionWords: Readonly<Record<string, string>> = {
  'request.submit': 'Asked another organisation for information about the child',
  'request.view': 'Looked at a request about the child',
  'request.list': 'Saw the child in a list of requests',
  'request.decide': 'Decided what to share about the child',
  'request.withdraw': 'Withdrew a request about the child',
  'request.close': 'Closed a request about the child',
  'request.overdue': 'The exchange noted a request about the child as overdue',
  'share.upload': 'Uploaded information about the child to share',
  'share.release': 'Shared information about the child',
  'share.fetch': 'Downloaded information shared about the child',
  'share.expire': 'The exchange removed shared information once its time was up',
  'share.delete': 'Deleted information shared about the child',
  'cdop.case.open': 'Opened a child death review case',
  'cdop.notification.forward': "Passed a child's death notification on to the responsible review panel",
  'cdop.case.view': 'Looked at a child death review case',
  'cdop.case.list': 'Saw the child in a list of child death review cases',
  'cdop.case.track': 'The exchange followed up a child death review case',
  'cdop.report.request': 'Asked agencies for reports for a child death review',
  'cdop.report.end': 'Stopped waiting for a report for a child death review',
  'cdop.pack.assemble': 'Put together the panel pack of a child death review',
  'cdop.pack.fetch': 'Read the panel pack of a child death review',
  'cdop.case.close': 'Closed a child death review case',
  'cdop.case.export': 'Sent a child death review case to the national database',
};

export const actionText = (action: string): string => actionWords[action] ?? action;

export const outcomeWords: Readonly<Record<string, string>> = {
  allowed: 'Done',
  refused: 'Refused',
  failed: 'Failed',
};
export const outcomeText = (outcome: string): string => outcomeWords[outcome] ?? outcome;

export const roleWords: Readonly<Record<UserRole, string>> = {
  practitioner: 'Practitioner',
  'cdop-manager': 'CDOP manager',
  'cdop-coordinator': 'CDOP coordinator',
  'ig-lead': 'IG lead',
  'caldicott-guardian': 'Caldicott guardian',
  dpo: 'Data protection officer',
  scrutineer: 'Scrutineer',
  operator: 'Exchange operator',
};

/** An entry's roles (comma-separated, as the audit actor records them) in words; none for a client or the exchange. */
export const rolesText = (roles: string | undefined): string =>
  roles === undefined
    ? 'No user role'
    : roles
        .split(',')
        .map((r) => (Object.hasOwn(roleWords, r) ? roleWords[r as UserRole] : r))
        .join(', ');

export const purposeText = (code: string | undefined): string =>
  code === undefined
    ? ''
    : Object.hasOwn(purposes, code)
      ? purposes[code as keyof typeof purposes].label
      : code;

/** Why an entry is withheld from subject access reports, with the DPA 2018 provision relied on. */
export const restrictionReasonWords: Readonly<Record<RestrictionReasonCode, string>> = {
  'crime-prevention': 'Prevention or detection of crime (DPA 2018 Sch 2 para 2)',
  'serious-harm': 'Serious harm to someone (DPA 2018 Sch 3)',
  'third-party': 'Information about another person (DPA 2018 Sch 2 para 16)',
  'legal-privilege': 'Legal professional privilege (DPA 2018 Sch 2 para 19)',
  other: 'Another exemption (see the reason given)',
};

/** What a subject access report says of the entries it withheld: how many, never which or why. */
export const withheldText = (withheld: number): string =>
  withheld === 0
    ? 'No entry was withheld from this report.'
    : `Some entries were withheld from this report: ${withheld} ${withheld === 1 ? 'entry is' : 'entries are'} ` +
      'not shown, as the law allows (Data Protection Act 2018, Schedules 2 and 3).';
