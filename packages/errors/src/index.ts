/** The small error taxonomy every package and service shares. Only the API maps codes to HTTP statuses. */
export type ErrorCode =
  | "invalid_input" // the record or request itself is wrong; retrying will not help
  | "not_found"
  | "conflict" // a concurrent change or an illegal state transition
  | "unauthenticated"
  | "forbidden"
  | "unavailable" // a dependency (Kafka, Elasticsearch, a notification peer) failed; retry later
  | "internal";

const RETRIABLE_BY_DEFAULT: Record<ErrorCode, boolean> = {
  invalid_input: false,
  not_found: false,
  conflict: false,
  unauthenticated: false,
  forbidden: false,
  unavailable: true,
  internal: false,
};

/** A typed error with a code and a retriable flag, so consumers know whether to back off or dead-letter. */
export class LiaowangError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LiaowangError";
    this.code = code;
    this.retriable = options.retriable ?? RETRIABLE_BY_DEFAULT[code];
  }
}

/** Shorthand for an `invalid_input` error. */
export function invalidInput(message: string, cause?: unknown): LiaowangError {
  return new LiaowangError("invalid_input", message, { cause });
}

/** Shorthand for a retriable `unavailable` error. */
export function unavailable(message: string, cause?: unknown): LiaowangError {
  return new LiaowangError("unavailable", message, { cause });
}

/** True when the error is worth retrying (unknown errors are treated as retriable infrastructure failures). */
export function isRetriable(error: unknown): boolean {
  if (error instanceof LiaowangError) return error.retriable;
  return true;
}

/** A one-line description of any thrown value, for dead-letter reasons and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
