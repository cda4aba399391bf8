import * as z from 'zod';

/**
 * The small rolling state the anomaly rules keep between runs, one item per key in the alerts table, each
 * written with the detector's cursor in one transaction. Every item carries when it may be forgotten
 * (`expiresAt`, epoch seconds, for DynamoDB TTL), and none holds a name or free text: subject references are
 * pseudonymous, as in the log.
 */
export const ruleStateSchema = z.discriminatedUnion('kind', [
  /** Distinct subject references one user touched in one hour (bulk access), until the rule fired. */
  z.object({
    kind: z.literal('children'),
    key: z.string(),
    refs: z.array(z.string()),
    entries: z.array(z.number().int()),
    alerted: z.boolean(),
    expiresAt: z.number().int(),
  }),
  /** Refused entries of one user or one client in one hour (repeated refusals). */
  z.object({
    kind: z.literal('refusals'),
    key: z.string(),
    count: z.number().int(),
    entries: z.array(z.number().int()),
    alerted: z.boolean(),
    expiresAt: z.number().int(),
  }),
  /** An organisation's most recent share fetches by client (rare client): at most the latest 50 times each. */
  z.object({
    kind: z.literal('fetches'),
    key: z.string(),
    byClient: z.record(z.string(), z.array(z.iso.datetime())),
    expiresAt: z.number().int(),
  }),
  /** A key its organisation reported lost or compromised when it was revoked (lost key used). */
  z.object({
    kind: z.literal('lost-key'),
    key: z.string(),
    organisationId: z.string(),
    revokedEntry: z.number().int(),
    expiresAt: z.number().int(),
  }),
  /** That a once-a-window alert (out of hours, past review) was raised for this key. */
  z.object({ kind: z.literal('raised'), key: z.string(), expiresAt: z.number().int() }),
]);
export type RuleState = z.infer<typeof ruleStateSchema>;
export type RuleStateOf<K extends RuleState['kind']> = Extract<RuleState, { kind: K }>;

/** The state a fold reads: the stored items the batch needs, with the batch's own changes over them. */
export type RuleStateView = (key: string) => RuleState | undefined;

const hour = 3600;
/** Epoch seconds `hours` after an ISO time. */
export const expiresAfter = (iso: string, hours: number): number =>
  Math.floor(Date.parse(iso) / 1000) + hours * hour;
