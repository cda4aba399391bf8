import type { DataRequestView } from '#client/pbx-client.ts';
import { challengeOutcomeLabels, groundLabels } from './challenge.ts';
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
  steps.push(...challengeSteps(request));
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
};

const roleWords = (role: string) => role.replace(/-/g, ' ');

/** Each challenge's stages as steps: opened (raised or escalated), flagged overdue, and its outcome. */
const challengeSteps = (request: DataRequestView): HistoryStep[] =>
  (request.challenges ?? []).flatMap((challenge) =>
    challenge.stages.flatMap((stage): HistoryStep[] => [
      {
        at: stage.openedAt,
        title:
          stage.stage === 1
            ? `Challenged ${groundLabels[challenge.ground] ?? challenge.ground}`
            : `Challenge escalated to stage ${stage.stage}`,
        by: stage.openedBy,
        detail: `${stage.reasons} To the ${roleWords(stage.role)}, due ${stage.dueAt.slice(0, 10)}.`,
      },
      ...(stage.overdueNotifiedAt === undefined
        ? []
        : [
            {
              at: stage.overdueNotifiedAt,
              title: `Challenge stage ${stage.stage} overdue`,
              by: 'the exchange',
            },
          ]),
      ...(stage.outcome === undefined
        ? []
        : [
            {
              at: stage.outcome.recordedAt,
              title: `Challenge stage ${stage.stage}: ${challengeOutcomeLabels[stage.outcome.outcome] ?? stage.outcome.outcome}`,
              by: stage.outcome.recordedBy,
              detail: stage.outcome.reasons,
            },
          ]),
    ]),
  );

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
