import type { AgreementView } from '#client/pbx-client.ts';
import { type AgreementVersion, agreementId, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import { dataCategories, lawfulBases, purposes } from '#shared/domain/agreements/catalogue.ts';
import type { FormError } from './audit-view.ts';
import { formatDate } from './render.ts';

/**
 * The agreements pages' view code: lists, one agreement's content, versions and signatures, and the sign and
 * suspend/resume forms checked. Pure: pages/agreements.ts calls the exchange.
 */

export const isAgreementId = (value: string): boolean => agreementId.safeParse(value).success;

const latestContentOf = (agreement: AgreementView) =>
  agreement.versions.find((v) => v.version === agreement.latestVersion)?.content;

/** Where an agreement stands, in plain English. */
export const standingText = (agreement: AgreementView): string => {
  const { standing, suspended, revoked } = agreement;
  const version = standing.version === undefined ? '' : ` (version ${standing.version})`;
  switch (standing.state) {
    case 'in-force':
      return `In force${version}${standing.reviewOverdue === true ? ', past its review date' : ''}`;
    case 'not-active':
      return 'Not yet in force: waiting for every party to sign';
    case 'suspended':
      return suspended === undefined ? 'Suspended' : `Suspended by ${suspended.by}: ${suspended.reason}`;
    case 'revoked':
      return revoked === undefined ? 'Revoked' : `Revoked by ${revoked.by}: ${revoked.reason}`;
    case 'expired':
      return `Expired${version}`;
    case 'not-yet-valid':
      return `Signed by every party, not yet started${version}`;
  }
};

/** The GOV.UK tag colour of a standing. */
export const standingTag = (agreement: AgreementView): { text: string; classes: string } => {
  const colours: Record<AgreementView['standing']['state'], [string, string]> = {
    'in-force': ['In force', 'govuk-tag--green'],
    'not-active': ['Awaiting signatures', 'govuk-tag--yellow'],
    suspended: ['Suspended', 'govuk-tag--orange'],
    revoked: ['Revoked', 'govuk-tag--red'],
    expired: ['Expired', 'govuk-tag--grey'],
    'not-yet-valid': ['Not yet started', 'govuk-tag--blue'],
  };
  const [text, classes] = colours[agreement.standing.state];
  return { text, classes };
};

export const isParty = (agreement: AgreementView, organisationId: string): boolean =>
  agreement.versions.some((v) => v.content.parties.includes(organisationId));

export type AgreementListItem = {
  readonly id: string;
  readonly title: string;
  readonly parties: string;
  readonly latestVersion: number;
  readonly standing: string;
  readonly tag: { text: string; classes: string };
  /** Whether the latest version waits for this organisation's signature. */
  readonly awaitingUs: boolean;
};

const byId = (a: AgreementView, b: AgreementView) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The list page: the agreements the person's organisation is party to, then the others the exchange shows. */
export const agreementList = (
  agreements: readonly AgreementView[],
  organisationId: string,
): { ours: AgreementListItem[]; others: AgreementListItem[] } => {
  const item = (agreement: AgreementView): AgreementListItem => {
    const content = latestContentOf(agreement);
    const latest = agreement.versions.find((v) => v.version === agreement.latestVersion);
    return {
      id: agreement.id,
      title: content?.title ?? agreement.id,
      parties: content?.parties.join(', ') ?? '',
      latestVersion: agreement.latestVersion,
      standing: standingText(agreement),
      tag: standingTag(agreement),
      awaitingUs:
        latest?.content.parties.includes(organisationId) === true &&
        !latest.signatures.some((s) => s.organisationId === organisationId),
    };
  };
  const sorted = [...agreements].sort(byId);
  return {
    ours: sorted.filter((a) => isParty(a, organisationId)).map(item),
    others: sorted.filter((a) => !isParty(a, organisationId)).map(item),
  };
};

export type PartySignature = {
  readonly organisationId: string;
  readonly signed: boolean;
  readonly text: string;
};

export type VersionView = {
  readonly version: number;
  readonly labels: readonly string[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly contentHash: string;
  /** Whether the hash the exchange states is the hash of the content it sent (computed here). */
  readonly hashMatches: boolean;
  readonly activatedAt: string | undefined;
  readonly signatures: readonly PartySignature[];
  readonly awaiting: readonly string[];
  /** Whether the person may be offered the sign form for this version. */
  readonly signable: boolean;
};

const signingRoles = ['ig-lead', 'caldicott-guardian'];
const roleNames: Record<string, string> = {
  'ig-lead': 'IG lead',
  'caldicott-guardian': 'Caldicott guardian',
};

/** Each version, newest first, with who has signed it; `signable` only where a signature could be right. */
export const versionViews = (
  agreement: AgreementView,
  person: { readonly organisationId: string; readonly roles: readonly string[] },
): VersionView[] =>
  [...agreement.versions]
    .sort((a, b) => b.version - a.version)
    .map((version: AgreementVersion) => {
      const hashMatches = contentHashOf(version.content) === version.contentHash;
      const signatures = version.content.parties.map((party) => {
        const signature = version.signatures.find((s) => s.organisationId === party);
        if (signature === undefined) return { organisationId: party, signed: false, text: 'Not signed' };
        const other = signature.contentHash === version.contentHash ? '' : ' (over another content hash)';
        return {
          organisationId: party,
          signed: true,
          text: `Signed on ${formatDate(signature.signedAt, true)} by ${signature.userId} (${roleNames[signature.role]}) through ${signature.clientId}${other}`,
        };
      });
      const mine = signatures.find((s) => s.organisationId === person.organisationId);
      const labels = [
        ...(version.version === agreement.latestVersion ? ['latest'] : []),
        ...(agreement.standing.state === 'in-force' && agreement.standing.version === version.version
          ? ['in force']
          : []),
      ];
      return {
        version: version.version,
        labels,
        createdAt: formatDate(version.createdAt, true),
        createdBy: version.createdBy,
        contentHash: version.contentHash,
        hashMatches,
        activatedAt: version.activatedAt === undefined ? undefined : formatDate(version.activatedAt, true),
        signatures,
        awaiting: signatures.filter((s) => !s.signed).map((s) => s.organisationId),
        signable:
          hashMatches &&
          agreement.revoked === undefined &&
          mine !== undefined &&
          !mine.signed &&
          person.roles.some((r) => signingRoles.includes(r)),
      };
    });

/** A version's content in words: the summary list rows and each purpose's terms. */
export const contentView = (content: AgreementVersion['content']) => ({
  title: content.title,
  rows: [
    { key: { text: 'Parties' }, value: { text: content.parties.join(', ') } },
    { key: { text: 'Footprint' }, value: { text: content.footprintId } },
    {
      key: { text: 'Valid' },
      value: {
        text: `From ${formatDate(content.validFrom, false)}${content.validTo === undefined ? ', with no end date' : ` to ${formatDate(content.validTo, false)}`}`,
      },
    },
    {
      key: { text: 'Review date' },
      value: {
        text: `${formatDate(content.reviewDate, false)}. After it, requests are ${content.blockWhenReviewOverdue ? 'refused' : 'flagged but not refused'}`,
      },
    },
    { key: { text: 'DPIA' }, value: { text: content.dpiaReference } },
    ...(content.appropriatePolicyDocument === undefined
      ? []
      : [
          {
            key: { text: 'Appropriate policy document' },
            value: { text: content.appropriatePolicyDocument },
          },
        ]),
  ],
  purposes: content.purposes.map((p) => ({
    code: p.code,
    name: purposes[p.code]?.label ?? p.code,
    description: p.description,
    rows: [
      {
        key: { text: 'Data categories' },
        value: { text: p.dataCategories.map((c) => dataCategories[c]?.label ?? c).join(', ') },
      },
      {
        key: { text: 'Lawful bases' },
        value: { text: p.lawfulBasis.map((b) => lawfulBases[b]?.label ?? b).join('; ') },
      },
      { key: { text: 'Consent' }, value: { text: consentText[p.consentRule] ?? p.consentRule } },
      { key: { text: 'Who may ask' }, value: { text: p.rolesAllowedToRequest.join(', ') } },
      { key: { text: 'Who may answer' }, value: { text: p.rolesAllowedToAnswer.join(', ') } },
      { key: { text: 'Kept for' }, value: { text: `${p.retentionDays} days` } },
    ],
  })),
});

const consentText: Record<string, string> = {
  required: 'Required',
  'required-unless-exempt': 'Required, unless a DPA 2018 Schedule 1 paragraph 18(2) exemption applies',
  'not-required': 'Not required',
};

export type FormResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly errors: readonly FormError[];
      readonly fieldErrors: Record<string, string>;
    };

const field = (body: Readonly<Record<string, unknown>>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : '';
};

/**
 * The sign form: the person confirms, with a checkbox, that they read the version whose content hash the page
 * showed; the hash they saw must still be the version's (computed from its content), or nothing is signed.
 */
export const parseSignForm = (
  body: Readonly<Record<string, unknown>>,
  version: AgreementVersion,
): FormResult<{ contentHash: string }> => {
  const shown = field(body, 'contentHash');
  const computed = contentHashOf(version.content);
  const fieldId = `confirm-${version.version}`;
  if (shown !== computed || version.contentHash !== computed) {
    const text =
      'This version is not the one you read: its content hash has changed. Read it again before you sign';
    return { ok: false, errors: [{ text, href: `#${fieldId}` }], fieldErrors: { [fieldId]: text } };
  }
  if (field(body, 'confirm') !== 'yes') {
    const text = `Confirm that you have read version ${version.version} and that its content hash is the one shown`;
    return { ok: false, errors: [{ text, href: `#${fieldId}` }], fieldErrors: { [fieldId]: text } };
  }
  return { ok: true, value: { contentHash: computed } };
};

export const standingChanges = ['suspend', 'resume'] as const;
export type StandingChange = (typeof standingChanges)[number];

const reasonLimit = 1000;

/** The suspend and resume forms: a reason is required (it is recorded), at most 1,000 characters. */
export const parseStandingForm = (
  body: Readonly<Record<string, unknown>>,
  change: StandingChange,
): FormResult<{ reason: string }> => {
  const reason = field(body, 'reason');
  const fieldId = `${change}-reason`;
  const problem =
    reason === ''
      ? `Enter why you are ${change === 'suspend' ? 'suspending' : 'resuming'} the agreement`
      : reason.length > reasonLimit
        ? `The reason must be ${reasonLimit.toLocaleString('en-GB')} characters or fewer`
        : undefined;
  if (problem !== undefined) {
    return {
      ok: false,
      errors: [{ text: problem, href: `#${fieldId}` }],
      fieldErrors: { [fieldId]: problem },
    };
  }
  return { ok: true, value: { reason } };
};
