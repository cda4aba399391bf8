import { Fhir, ParseConformance, Versions } from 'fhir';

/**
 * FHIR R4 validation for the tests, by the `fhir` package (FHIR.js, lantanagroup): it checks a resource against the
 * R4 structure definitions it ships (element names and types, cardinality, required bindings such as
 * AuditEvent.action and .outcome), offline. An element R4 does not define is an error here rather than the
 * package's warning: the tools the export is for would drop or refuse it.
 */
const r4 = new Fhir(new ParseConformance(true, Versions.R4));

export type FhirValidation = {
  /** What makes the resource invalid R4, as `location: message`. */
  readonly errors: readonly string[];
  /** Codes outside an extensible or preferred binding's value set: allowed in R4, listed to be looked at. */
  readonly warnings: readonly string[];
};

export const validateFhirR4 = (resource: unknown): FhirValidation => {
  const { valid, messages } = r4.validate(resource as object, { errorOnUnexpected: true });
  const shown = (severities: readonly string[]) =>
    messages
      .filter((m) => m.severity !== undefined && severities.includes(m.severity))
      .map((m) => `${m.location ?? '?'}: ${m.message ?? m.severity}`);
  const errors = shown(['error', 'fatal']);
  return {
    errors: valid || errors.length > 0 ? errors : ['invalid, with no message'],
    warnings: shown(['warning']),
  };
};
