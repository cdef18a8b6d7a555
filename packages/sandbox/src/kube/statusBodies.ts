import { ResourceType } from './types';

/** A metav1.Status failure body, shaped as the apiserver writes it. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** An error that the HTTP layer turns into its Status body. */
export class StatusError extends Error {
  constructor(
    readonly body: StatusBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusBody['details'],
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** `jobs.batch` or `pods`: the qualified resource the apiserver names in messages. */
function qualified(type: ResourceType) {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function detailsFor(type: ResourceType, name: string) {
  return {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
  };
}

export const statusBodies = {
  notFound: (type: ResourceType, name: string) =>
    failure(
      404,
      'NotFound',
      `${qualified(type)} "${name}" not found`,
      detailsFor(type, name),
    ),
  namespaceNotFound: (namespace: string) =>
    failure(404, 'NotFound', `namespaces "${namespace}" not found`, {
      name: namespace,
      kind: 'namespaces',
    }),
  pathNotFound: () =>
    failure(
      404,
      'NotFound',
      'the server could not find the requested resource',
      {},
    ),
  alreadyExists: (type: ResourceType, name: string) =>
    failure(
      409,
      'AlreadyExists',
      `${qualified(type)} "${name}" already exists`,
      detailsFor(type, name),
    ),
  conflict: (type: ResourceType, name: string, why?: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(type)} "${name}": ${
        why ??
        'the object has been modified; please apply your changes to the latest version and try again'
      }`,
      detailsFor(type, name),
    ),
  invalid: (
    type: ResourceType,
    name: string,
    causes: { field: string; message: string; reason?: string }[],
  ) =>
    failure(
      422,
      'Invalid',
      `${type.kind}${
        type.group ? `.${type.group}` : ''
      } "${name}" is invalid: ${causes
        .map(c => `${c.field}: ${c.message}`)
        .join(', ')}`,
      {
        name,
        ...(type.group ? { group: type.group } : {}),
        kind: type.kind,
        causes: causes.map(c => ({
          reason: c.reason ?? 'FieldValueInvalid',
          message: c.message,
          field: c.field,
        })),
      },
    ),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string, details?: StatusBody['details']) =>
    failure(403, 'Forbidden', message, details),
  methodNotAllowed: () =>
    failure(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    ),
  gone: (message: string) => failure(410, 'Expired', message),
  unsupportedMediaType: (contentType: string) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
    ),
  tooManyRequests: (retryAfterSeconds: number) =>
    failure(
      429,
      'TooManyRequests',
      'the server has received too many requests and has asked us to try again later',
      {
        retryAfterSeconds,
        causes: [{ message: 'injected fault' }],
      },
    ),
  internalError: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    }),
  serviceUnavailable: (message: string) =>
    failure(503, 'ServiceUnavailable', message),
  /** Any other injected status code, with the reason the apiserver would use. */
  forCode: (code: number, message: string) => {
    const reasons: Record<number, string> = {
      400: 'BadRequest',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'NotFound',
      409: 'Conflict',
      410: 'Expired',
      422: 'Invalid',
      429: 'TooManyRequests',
      500: 'InternalError',
      503: 'ServiceUnavailable',
      504: 'Timeout',
    };
    return failure(code, reasons[code] ?? 'Unknown', message);
  },
};

/** The body the apiserver sends for a DELETE that removed the object at once. */
export function deletedStatus(type: ResourceType, name: string, uid?: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...detailsFor(type, name), ...(uid ? { uid } : {}) },
  };
}
