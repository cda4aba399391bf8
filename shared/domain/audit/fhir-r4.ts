/**
 * The parts of the FHIR R4 (4.0.1) AuditEvent resource that pbx writes (hl7.org/fhir/R4/auditevent.html), with the
 * data types they use. Hand-written rather than taken from a types package: the export uses a dozen elements, and
 * a generated package of every R4 resource would be a dependency for the sake of them. Element names, cardinality
 * and the required code lists (`action`, `outcome`) are the specification's; the tests check written resources with
 * a FHIR validator.
 */

export type Coding = {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
};

export type CodeableConcept = { readonly coding: readonly Coding[] };

export type Identifier = { readonly system?: string; readonly value: string };

/** A reference by identifier only: pbx exports no resources for its actors or targets to point at. */
export type Reference = {
  /** The FHIR resource type the identifier would resolve to, where there is one (`Patient`). */
  readonly type?: string;
  readonly identifier?: Identifier;
  readonly display?: string;
};

/** AuditEvent.action (required binding AuditEventAction): create, read, update, delete, execute. */
export type AuditEventAction = 'C' | 'R' | 'U' | 'D' | 'E';

/**
 * AuditEvent.outcome (required binding AuditEventOutcome): success, minor failure (often an HTTP 4xx), serious
 * failure (often an HTTP 5xx), major failure.
 */
export type AuditEventOutcome = '0' | '4' | '8' | '12';

export type AuditEventAgent = {
  readonly type?: CodeableConcept;
  readonly role?: readonly CodeableConcept[];
  readonly who?: Reference;
  /** Required in R4: whether this agent started the event. */
  readonly requestor: boolean;
};

export type AuditEventEntityDetail =
  | { readonly type: string; readonly valueString: string }
  | { readonly type: string; readonly valueBase64Binary: string };

export type AuditEventEntity = {
  readonly what?: Reference;
  readonly type?: Coding;
  readonly role?: Coding;
  /** Base64 of the query (R4 invariant sev-1: an entity has a name or a query, not both; pbx never sets name). */
  readonly query?: string;
  readonly detail?: readonly AuditEventEntityDetail[];
};

export type AuditEvent = {
  readonly resourceType: 'AuditEvent';
  readonly id: string;
  readonly type: Coding;
  readonly subtype?: readonly Coding[];
  readonly action: AuditEventAction;
  readonly recorded: string;
  readonly outcome: AuditEventOutcome;
  readonly outcomeDesc?: string;
  readonly purposeOfEvent?: readonly CodeableConcept[];
  readonly agent: readonly AuditEventAgent[];
  readonly source: {
    readonly site?: string;
    readonly observer: Reference;
    readonly type?: readonly Coding[];
  };
  readonly entity?: readonly AuditEventEntity[];
};
