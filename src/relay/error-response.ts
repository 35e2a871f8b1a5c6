/**
 * The relay's one way of saying no: an OpenAI-style error body `{ "error": { "message", "type", "code" } }`, so that
 * OpenAI client libraries (and the SDK's RelayError) read relay and provider failures the same way.
 */

/** What went wrong, as a stable machine-readable code (the `code` field of the body). */
export type RelayErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'missing_token'
  | 'invalid_token'
  | 'origin_not_allowed'
  | 'not_found'
  | 'method_not_allowed'
  | 'model_not_found'
  | 'request_too_large'
  | 'headers_too_large'
  | 'request_timeout'
  | 'too_many_connections'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'share_exceeded'
  | 'route_refused'
  | 'verification_failed'
  | 'store_unavailable'
  | 'too_many_concurrent_requests'
  | 'model_unavailable'
  | 'relay_misconfigured'
  | 'internal_error'
  | 'upstream_rejected_request'
  | 'upstream_auth_failed'
  | 'upstream_rate_limited'
  | 'upstream_error'
  | 'upstream_unreachable'
  | 'upstream_timeout';

export interface RelayErrorBody {
  error: { message: string; type: string; code: RelayErrorCode };
}

/** The OpenAI error `type` that goes with each status, so callers can branch on either. */
function errorTypeFor(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    case 502:
    case 504:
      return 'upstream_error';
    default:
      return status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}

export function errorBody(status: number, code: RelayErrorCode, message: string): RelayErrorBody {
  return { error: { message, type: errorTypeFor(status), code } };
}

/** The error as a Response; `headers` carries what the status needs (`Retry-After`, `WWW-Authenticate`, `Allow`). */
export function errorResponse(
  status: number,
  code: RelayErrorCode,
  message: string,
  headers?: Record<string, string>,
): Response {
  return new Response(JSON.stringify(errorBody(status, code, message)), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
