export const errorStatus = {
  ValidationError: 400,
  InvalidPhoneNumber: 400,
  InvalidSendingParameters: 400,
  UnknownPlaceholder: 400,
  MissingPlaceholderValue: 400,
  Unauthorized: 401,
  InsufficientPrivileges: 403,
  NumberNotAssigned: 403,
  InvalidSignature: 403,
  NotFound: 404,
  OptedOut: 409,
  QuietHours: 409,
  NotReplyable: 409,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  /** A first deploy whose provider credentials are not set yet: the provider retries later. */
  NotConfigured: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** The one error type of the system: a contract code, a readable message, optional details. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = errorStatus[code];
  }
}

export const notFound = (what: string) => new HttpError('NotFound', `${what} not found`);
