/** A local exchange start-up problem the user can fix; `npm start` prints its message as one line, no stack. */
export class LocalStackError extends Error {
  override name = 'LocalStackError';
}
