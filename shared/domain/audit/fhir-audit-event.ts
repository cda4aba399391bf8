import type { AuditEntry } from './audit-entry.ts';
import type {
  AuditEvent,
  AuditEventAction,
  AuditEventAgent,
  AuditEventEntity,
  AuditEventEntityDetail,
  AuditEventOutcome,
  CodeableConcept,
  Coding,
} from './fhir-r4.ts';
import { codings, pbxCodeSystems, pbxIdentifierSystems } from './fhir-terminology.ts';
import { encodeBase64 } from './signed-note.ts';

/**
 * One audit log leaf as a FHIR R4 AuditEvent, shaped after IHE Basic Audit Log Patterns (BALP,
 * profiles.ihe.net/ITI/BALP): what `pbx audit export --format fhir` writes, one resource a line (docs/AUDIT.md
 * "FHIR AuditEvent export" has the mapping table and where pbx departs from BALP).
 *
 * Pure, and total over audit entries: an action pbx adds later still maps (as a RESTful operation) rather than
 * failing an export. Nothing is added that the entry does not hold, so a resource says no more than its leaf: the
 * child only as the pseudonymous subject reference, free text only as the SHA-256 the log holds.
 */

/** The FHIR RESTful interaction an action is, as BALP's Create, Read, Query, Update and Delete patterns name them. */
export type RestInteraction = 'create' | 'read' | 'search' | 'update' | 'delete' | 'operation';

/** By the last word of the action (`request.submit` → `submit`); anything else is an `operation`. */
const interactionByVerb: Readonly<Record<string, RestInteraction>> = {
  submit: 'create',
  open: 'create',
  upload: 'create',
  create: 'create',
  propose: 'create',
  add: 'create',
  register: 'create',
  forward: 'create',
  assemble: 'create',
  request: 'create',
  view: 'read',
  fetch: 'read',
  read: 'read',
  export: 'read',
  list: 'search',
  search: 'search',
  figures: 'search',
  decide: 'update',
  withdraw: 'update',
  close: 'update',
  sign: 'update',
  activate: 'update',
  suspend: 'update',
  resume: 'update',
  revoke: 'update',
  end: 'update',
  release: 'update',
  cosign: 'update',
  overdue: 'update',
  track: 'update',
  delete: 'delete',
  expire: 'delete',
};

export const interactionOf = (action: string): RestInteraction =>
  interactionByVerb[action.slice(action.lastIndexOf('.') + 1)] ?? 'operation';

const actionCodes: Readonly<Record<RestInteraction, AuditEventAction>> = {
  create: 'C',
  read: 'R',
  // BALP's Query pattern records a search as execute.
  search: 'E',
  update: 'U',
  delete: 'D',
  operation: 'E',
};

const outcomeCodes: Readonly<Record<AuditEntry['outcome'], AuditEventOutcome>> = {
  allowed: '0',
  // A refusal is the caller's: a 4xx answer, which R4 calls a minor failure.
  refused: '4',
  // A failure is the exchange's (a dependency down, a 5xx answer): a serious failure.
  failed: '8',
};

const concept = (system: string, code: string): CodeableConcept => ({ coding: [{ system, code }] });
const identified = (system: string, value: string) => ({ identifier: { system, value } });
const text = (type: string, valueString: string): AuditEventEntityDetail => ({ type, valueString });

/** The log leaf a resource records: its index and log, its hash and the entry's id, so it traces to its proof. */
export type IndexedLeaf = {
  readonly index: number;
  readonly entry: AuditEntry;
  /** Base64 of the leaf hash, SHA-256(0x00 || canonical JSON of the entry). */
  readonly leafHash?: string;
};

/** The exchange, as the agent that served the call and the source that recorded it: named by its log's origin. */
const exchangeOf = (origin: string) => ({
  ...identified(pbxIdentifierSystems.auditLog, origin),
  display: origin,
});

/**
 * The agents, in BALP's shape: the user (when a client acted for one) is the requestor; the client is the
 * requestor when it acted for no user; the exchange is the server. BALP's Read pattern names the client the
 * destination of the data and the server its source; its Create, Query, Update and Delete patterns the reverse.
 */
const agentsOf = (entry: AuditEntry, interaction: RestInteraction, origin: string): AuditEventAgent[] => {
  const { actor } = entry;
  const readsData = interaction === 'read';
  const clientRole = readsData ? codings.destinationRole : codings.sourceRole;
  const serverRole = readsData ? codings.sourceRole : codings.destinationRole;
  const organisation = actor.organisationId === undefined ? {} : { display: actor.organisationId };
  const user: AuditEventAgent[] =
    actor.userId === undefined
      ? []
      : [
          {
            type: {
              coding: [
                interaction === 'read' || interaction === 'search' || interaction === 'operation'
                  ? codings.informationRecipient
                  : codings.author,
              ],
            },
            ...(actor.role === undefined
              ? {}
              : { role: actor.role.split(',').map((role) => concept(pbxCodeSystems.role, role)) }),
            who: { ...identified(pbxIdentifierSystems.user, actor.userId), ...organisation },
            requestor: true,
          },
        ];
  const clientId = actor.clientId ?? actor.claimedClientId;
  const client: AuditEventAgent[] =
    clientId === undefined
      ? []
      : [
          {
            type: { coding: [clientRole, codings.application] },
            who: {
              ...identified(
                actor.clientId === undefined
                  ? pbxIdentifierSystems.claimedClient
                  : pbxIdentifierSystems.client,
                clientId,
              ),
              ...organisation,
            },
            requestor: user.length === 0,
          },
        ];
  const server: AuditEventAgent = {
    type: { coding: [serverRole] },
    who: exchangeOf(origin),
    // The exchange acting by itself (seeding, schedules) started the event.
    requestor: actor.kind === 'system',
  };
  return [...user, ...client, server];
};

/**
 * What the entry says of the action's object (its data categories, consent, decision, parties): details of the
 * target's entity, or of the leaf's when the entry has no target.
 */
const factDetails = (entry: AuditEntry): AuditEventEntityDetail[] => [
  ...(entry.target?.malformedIdSha256 === undefined
    ? []
    : [text('malformedIdSha256', entry.target.malformedIdSha256)]),
  ...(entry.dataCategories ?? []).map((category) => text('dataCategory', category)),
  ...(entry.consentState === undefined ? [] : [text('consentState', entry.consentState)]),
  ...(entry.consentExemption === undefined ? [] : [text('consentExemption', entry.consentExemption)]),
  ...(entry.decision === undefined
    ? []
    : [
        text('decisionOutcome', entry.decision.outcome),
        ...(entry.decision.reasonCodes ?? []).map((code) => text('decisionReasonCode', code)),
        ...(entry.decision.withheldCategories ?? []).map((category) => text('withheldCategory', category)),
      ]),
  ...(entry.parties ?? []).map((party) => text('party', party)),
];

/**
 * The entities: the leaf (always first), the child as BALP's patient, the target as its data, a search's filter as
 * its query, the agreement, and the call as its transaction.
 */
const entitiesOf = (leaf: IndexedLeaf, origin: string): AuditEventEntity[] => {
  const { entry } = leaf;
  const facts = factDetails(entry);
  const target: AuditEventEntity[] =
    entry.target === undefined
      ? []
      : [
          {
            ...(entry.target.id === undefined
              ? {}
              : { what: identified(pbxIdentifierSystems.target(entry.target.type), entry.target.id) }),
            type: codings.systemObject,
            role: codings.domainResourceRole,
            detail: [text('targetType', entry.target.type), ...facts],
          },
        ];
  const leafEntity: AuditEventEntity = {
    what: identified(pbxIdentifierSystems.auditLeaf, String(leaf.index)),
    type: codings.leafEntity,
    detail: [
      text('log-origin', origin),
      ...(leaf.leafHash === undefined ? [] : [{ type: 'leafHash', valueBase64Binary: leaf.leafHash }]),
      text('entryId', entry.id),
      ...Object.entries(entry.textSha256 ?? {}).map(([field, hash]) => text(`textSha256.${field}`, hash)),
      ...(target.length === 0 ? facts : []),
    ],
  };
  return [
    leafEntity,
    ...(entry.subjectRef === undefined
      ? []
      : [
          {
            what: {
              type: 'Patient',
              identifier: { system: pbxIdentifierSystems.subjectReference, value: entry.subjectRef },
            },
            type: codings.person,
            role: codings.patientRole,
          },
        ]),
    ...target,
    ...(entry.search === undefined
      ? []
      : [
          {
            type: codings.systemObject,
            role: codings.queryRole,
            // BALP keeps the query as sent, base64; the log holds the filter's non-personal fields.
            query: encodeBase64(new TextEncoder().encode(new URLSearchParams(entry.search).toString())),
          },
        ]),
    ...(entry.agreement === undefined
      ? []
      : [
          {
            what: identified(pbxIdentifierSystems.agreement, entry.agreement.id),
            type: codings.agreementEntity,
            role: codings.securityResourceRole,
            detail: [
              text('version', String(entry.agreement.version)),
              ...(entry.agreementStanding === undefined ? [] : [text('standing', entry.agreementStanding)]),
              ...(entry.reviewOverdue === true ? [text('reviewOverdue', 'true')] : []),
            ],
          },
        ]),
    ...(entry.requestId === undefined && entry.requestHash === undefined
      ? []
      : [
          {
            ...(entry.requestId === undefined
              ? {}
              : { what: identified(pbxIdentifierSystems.apiRequest, entry.requestId) }),
            type: codings.requestIdEntity,
            ...(entry.requestHash === undefined
              ? {}
              : { detail: [text('signedRequestSha256', entry.requestHash)] }),
          },
        ]),
  ];
};

/**
 * The AuditEvent of one leaf of the log of `origin`. A caller's action is a RESTful call (BALP's type `rest`, with
 * the interaction as a subtype); the exchange's own step is a DICOM event: Patient Record when it touched a child's
 * record (a share expiring), Application Activity otherwise (seeding). Either way pbx's action is a subtype.
 */
export const auditEventOf = (leaf: IndexedLeaf, { origin }: { readonly origin: string }): AuditEvent => {
  const { entry } = leaf;
  const interaction = interactionOf(entry.action);
  const restful = entry.actor.kind !== 'system';
  const actionCoding: Coding = { system: pbxCodeSystems.action, code: entry.action };
  const purposes: CodeableConcept[] = [
    ...(entry.purpose === undefined ? [] : [concept(pbxCodeSystems.purpose, entry.purpose)]),
    ...(entry.lawfulBasis ?? []).map((basis) => concept(pbxCodeSystems.lawfulBasis, basis)),
  ];
  return {
    resourceType: 'AuditEvent',
    // The entry's ULID: unique in the log, and within FHIR's id syntax ([A-Za-z0-9.-]{1,64}).
    id: entry.id,
    type: restful
      ? codings.rest
      : entry.subjectRef === undefined
        ? codings.applicationActivity
        : codings.patientRecord,
    subtype: restful
      ? [{ system: 'http://hl7.org/fhir/restful-interaction', code: interaction }, actionCoding]
      : [actionCoding],
    action: actionCodes[interaction],
    recorded: entry.time,
    outcome: outcomeCodes[entry.outcome],
    ...(entry.reasonCodes.length === 0 ? {} : { outcomeDesc: entry.reasonCodes.join(' ') }),
    ...(purposes.length === 0 ? {} : { purposeOfEvent: purposes }),
    agent: agentsOf(entry, interaction, origin),
    source: { site: origin, observer: exchangeOf(origin), type: [codings.applicationServer] },
    entity: entitiesOf(leaf, origin),
  };
};
