import type { Coding } from './fhir-r4.ts';

/**
 * The terminology of the FHIR AuditEvent export (fhir-audit-event.ts, docs/AUDIT.md "FHIR AuditEvent export"):
 * pbx's own code and identifier systems, defined here once, and the standard codes BALP's patterns use.
 */

/**
 * The namespace of pbx's own code systems and identifier systems. They are names, not addresses: nothing is served
 * there. `.example` is reserved (RFC 2606), so the names can never be someone else's.
 */
export const pbxFhirBase = 'https://pbx.example/fhir';

/** pbx's code systems: the codes the audit log holds, unchanged. */
export const pbxCodeSystems = {
  /** The entry's `action` (`request.submit`). */
  action: `${pbxFhirBase}/CodeSystem/action`,
  /** The agreement purpose code (`CDR_CASE_REVIEW`). */
  purpose: `${pbxFhirBase}/CodeSystem/purpose`,
  /** A lawful basis code (`UKGDPR-6-1-e`, `DPA2018-S1-P2-18`, `CA2004-s16M`). */
  lawfulBasis: `${pbxFhirBase}/CodeSystem/lawful-basis`,
  /** A user role (`ig-lead`, `practitioner`). */
  role: `${pbxFhirBase}/CodeSystem/role`,
  /** pbx's own entity types: the log leaf, the agreement. */
  entityType: `${pbxFhirBase}/CodeSystem/entity-type`,
} as const;

/** pbx's identifier systems: whose ids an identifier's value is. */
export const pbxIdentifierSystems = {
  user: `${pbxFhirBase}/NamingSystem/user`,
  client: `${pbxFhirBase}/NamingSystem/client`,
  /** A client a refused token claimed to be, which the exchange could not confirm. */
  claimedClient: `${pbxFhirBase}/NamingSystem/claimed-client`,
  /** The pseudonymous subject reference of a child (docs/SUBJECT-REFERENCES.md); never an NHS number. */
  subjectReference: `${pbxFhirBase}/NamingSystem/subject-reference`,
  /** An audit log, by its origin (the first line of its checkpoints). */
  auditLog: `${pbxFhirBase}/NamingSystem/audit-log`,
  /** A leaf index of the audit log named by the entity's `log-origin` detail. */
  auditLeaf: `${pbxFhirBase}/NamingSystem/audit-leaf`,
  agreement: `${pbxFhirBase}/NamingSystem/agreement`,
  /** An API Gateway request id: the answer an entry records. */
  apiRequest: `${pbxFhirBase}/NamingSystem/api-request`,
  /** The ids of one kind of target (`request`, `cdop-case`, `route`). */
  target: (type: string) => `${pbxFhirBase}/NamingSystem/${encodeURIComponent(type)}`,
} as const;

const dicom = 'http://dicom.nema.org/resources/ontology/DCM';
const hl7 = 'http://terminology.hl7.org/CodeSystem';

/** The codes of HL7, DICOM and BALP that the export uses, and pbx's own entity types. */
export const codings = {
  rest: { system: `${hl7}/audit-event-type`, code: 'rest', display: 'Restful Operation' },
  applicationActivity: { system: dicom, code: '110100', display: 'Application Activity' },
  patientRecord: { system: dicom, code: '110110', display: 'Patient Record' },
  application: { system: dicom, code: '110150', display: 'Application' },
  destinationRole: { system: dicom, code: '110152', display: 'Destination Role ID' },
  sourceRole: { system: dicom, code: '110153', display: 'Source Role ID' },
  informationRecipient: {
    system: `${hl7}/v3-ParticipationType`,
    code: 'IRCP',
    display: 'information recipient',
  },
  author: { system: `${hl7}/v3-ParticipationType`, code: 'AUT', display: 'author (originator)' },
  applicationServer: { system: `${hl7}/security-source-type`, code: '4', display: 'Application Server' },
  person: { system: `${hl7}/audit-entity-type`, code: '1', display: 'Person' },
  systemObject: { system: `${hl7}/audit-entity-type`, code: '2', display: 'System Object' },
  patientRole: { system: `${hl7}/object-role`, code: '1', display: 'Patient' },
  domainResourceRole: { system: `${hl7}/object-role`, code: '4', display: 'Domain Resource' },
  securityResourceRole: { system: `${hl7}/object-role`, code: '13', display: 'Security Resource' },
  queryRole: { system: `${hl7}/object-role`, code: '24', display: 'Query' },
  /** BALP's code for the entity that names the transport's request id. */
  requestIdEntity: {
    system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
    code: 'XrequestId',
  },
  leafEntity: { system: pbxCodeSystems.entityType, code: 'audit-log-leaf', display: 'Audit log leaf' },
  agreementEntity: {
    system: pbxCodeSystems.entityType,
    code: 'agreement',
    display: 'Information-sharing agreement',
  },
} as const satisfies Record<string, Coding>;
