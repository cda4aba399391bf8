/**
 * Why the pbx command stopped, with the exit code that says so. `USAGE` and `LOCAL_INPUT` are the caller's to fix
 * (exit 2); the exchange refusing, not answering, or answering what fails a local check (`UNTRUSTED_ANSWER`, e.g.
 * an agreement whose content does not hash to the hash it states) is exit 1.
 */
export type CliErrorCode =
  | 'USAGE'
  | 'LOCAL_INPUT'
  | 'EXCHANGE_REFUSED'
  | 'EXCHANGE_UNREACHABLE'
  | 'UNTRUSTED_ANSWER'
  /** An audit evidence pack that does not verify (pbx audit verify): exit 1, naming the first bad entry. */
  | 'BAD_EVIDENCE'
  /** pbx audit witness would not cosign: a split view, a rollback, or a checkpoint inconsistent with the last. */
  | 'WITNESS_REFUSED';

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** Further lines printed under the message: the exchange's details, or a hint. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }

  get exitCode(): 1 | 2 {
    return this.code === 'USAGE' || this.code === 'LOCAL_INPUT' ? 2 : 1;
  }
}

export const usageError = (message: string, details: readonly string[] = []) =>
  new CliError('USAGE', message, details);
