import type { DataRequestView } from '#client/pbx-client.ts';
import { categoryLabel, exemptionLabels, outcomeLabels } from './labels.ts';
import { nameOf, type OrganisationNames } from './list.ts';

/** A request's life as the record tells it: each step, who took it and when, oldest first. */
export type HistoryStep = {
  readonly at: string;
  readonly title: string;
  readonly by: string;
  readonly detail?: string;
};

export const historyOf = (request: DataRequestView, names: OrganisationNames): HistoryStep[] => {
  const steps: HistoryStep[] = [
    {
      at: request.submittedAt,
      title: `Asked ${nameOf(names, request.responderOrganisationId)}`,
      by: `${request.requester.userId} (${nameOf(names, request.requester.organisationId)}, through ${request.requester.clientId})`,
    },
  ];
  const { decision, share } = request;
  if (decision !== undefined) {
    const withheld = decision.withheld?.dataCategories?.map(categoryLabel).join(', ');
    steps.push({
      at: decision.decidedAt,
      title: outcomeLabels[decision.outcome],
      by: decision.decidedBy,
      detail: [
        decision.reasons,
        withheld === undefined ? '' : `Withheld: ${withheld}.`,
        decision.withheld?.description ?? '',
      ]
        .filter((s) => s !== '')
        .join(' '),
    });
  }
  if (share !== undefined) {
    steps.push({
      at: share.releasedAt,
      title: 'Information released',
      by: share.releasedBy,
      detail: `${share.size} bytes, SHA-256 ${share.sha256}`,
    });
    if (share.lastFetchedAt !== undefined) {
      steps.push({
        at: share.lastFetchedAt,
        title: 'Downloaded',
        by: nameOf(names, request.requester.organisationId),
        detail: `${share.fetchCount} of ${share.maxFetches} downloads used`,
      });
    }
    if (share.deletedAt !== undefined) {
      steps.push({ at: share.deletedAt, title: 'Released information deleted', by: 'the exchange' });
    }
  }
  if (request.withdrawnAt !== undefined) {
    steps.push({ at: request.withdrawnAt, title: 'Withdrawn', by: request.withdrawnBy ?? 'the requester' });
  }
  if (request.closed !== undefined) {
    steps.push({
      at: request.closed.at,
      title: 'Closed',
      by: 'the exchange',
      detail: 'The agreement it was made under was revoked.',
    });
  }
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
};

/** The consent the request records, in words. */
export const consentText = (consent: DataRequestView['consent']): string => {
  switch (consent.state) {
    case 'obtained':
      return `Obtained by ${consent.obtainedBy} from the ${consent.obtainedFrom}`;
    case 'not-sought':
      return `Not sought: ${exemptionLabels[consent.exemption]}. ${consent.rationale}`;
    case 'refused':
      return `Refused${consent.exemption === undefined ? '' : `: ${exemptionLabels[consent.exemption]}`}${consent.rationale === undefined ? '' : `. ${consent.rationale}`}`;
    default:
      return 'Not applicable';
  }
};

/** The categories the responder approved for release: those asked for, less any withheld. */
export const approvedCategories = (request: DataRequestView): string[] => {
  const withheld = request.decision?.withheld?.dataCategories ?? [];
  return request.dataCategories.filter((c) => !withheld.includes(c));
};

/** What the person may do with the request now, by their side of it and its state. */
export const actionsFor = (request: DataRequestView, organisationId: string) => {
  const responder = request.responderOrganisationId === organisationId;
  const requester = request.requester.organisationId === organisationId;
  return {
    decide: responder && request.status === 'submitted',
    release: responder && (request.status === 'approved' || request.status === 'partially-approved'),
    download:
      requester &&
      request.status === 'released' &&
      request.share !== undefined &&
      request.share.deletedAt === undefined &&
      request.share.fetchCount < request.share.maxFetches,
  };
};
