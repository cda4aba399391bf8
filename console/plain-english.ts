/**
 * The exchange's error codes in plain English, for people. A code not listed falls back to the exchange's own
 * message, which is already a sentence.
 */
const explanations: Readonly<Record<string, string>> = {
  NOT_PERMITTED: 'You do not have permission to do this.',
  NOT_FOUND: 'We could not find this. It may not exist, or it may belong to another organisation.',
  NO_AGREEMENT: 'There is no information-sharing agreement in force that allows this.',
  AGREEMENT_NOT_IN_FORCE: 'The information-sharing agreement is not in force.',
  DEPENDENCY_UNAVAILABLE: 'The exchange is not available at the moment. Try again later.',
  RATE_LIMITED: 'Too many requests were made. Wait a minute and try again.',
  CONFLICT: 'Someone else changed this at the same time. Reload the page and try again.',
  INVALID_BODY: 'Some of the information is not in the right form.',
  REQUEST_REFUSED: 'The request does not meet the information-sharing agreement it names.',
  FETCH_LIMIT_REACHED: 'The information has been downloaded as many times as allowed.',
  UNKNOWN_USER: 'Your account is not registered with the exchange. Ask your IG lead to register you.',
  USER_NOT_OF_ORGANISATION: 'Your account is registered with a different organisation.',
  USER_SUSPENDED: 'Your account is suspended. Ask your IG lead.',
  ALREADY_SIGNED: 'Your organisation has already signed this version.',
  CONTENT_HASH_MISMATCH:
    'This version is not the one you read: nothing was signed. Read it again before you sign.',
  AGREEMENT_CLOSED: 'The agreement has been revoked. It cannot be changed any more.',
};

/** What the exchange answered when it refused: a status and `{ error, message, details? }`. */
export type ExchangeRefusal = {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details: readonly string[];
};

export const refusalOf = (response: { status: number; body: unknown }): ExchangeRefusal => {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<
    string,
    unknown
  >;
  return {
    status: response.status,
    code: typeof body.error === 'string' ? body.error : 'UNKNOWN',
    message: typeof body.message === 'string' ? body.message : 'the exchange gave no reason',
    details: Array.isArray(body.details)
      ? body.details.filter((d): d is string => typeof d === 'string')
      : [],
  };
};

/** The sentences a page shows for a refusal: the plain-English headline, then the exchange's own reason. */
export const explain = (refusal: ExchangeRefusal): { summary: string; reasons: readonly string[] } => {
  const summary = explanations[refusal.code] ?? 'The exchange did not allow this.';
  const reason = `${refusal.message.charAt(0).toUpperCase()}${refusal.message.slice(1)}${/[.!?]$/.test(refusal.message) ? '' : '.'}`;
  return { summary, reasons: [reason, ...refusal.details] };
};
