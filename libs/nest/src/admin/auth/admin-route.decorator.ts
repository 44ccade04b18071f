import { applyDecorators, Header, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension, ApiNotModifiedResponse, ApiSecurity } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { AdminScope } from '../../config/config';
import { ApiErrors } from '../../openapi/errors';

/** Name of the OpenAPI security scheme `Authorization: Bearer <key>`. */
export const ADMIN_BEARER_SCHEME = 'admin-bearer';
/** Name of the OpenAPI security scheme `x-api-key: <key>`. */
export const ADMIN_API_KEY_SCHEME = 'admin-api-key';
/** Names of the two rate limits of the admin routes (see AdminModule). */
export const READ_LIMIT = 'read';
export const WRITE_LIMIT = 'write';

/** The scope a route requires; read by {@link AdminAuthGuard}. */
export const RequiresScope = Reflector.createDecorator<AdminScope>();
/** Marks a route that needs no credential (the page's static files); read by {@link AdminAuthGuard}. */
export const ADMIN_PUBLIC = 'lambdaflex:admin-public';

// Both limits are named on every route, so a class-level setting can never leave one applied by accident.
const readLimited = SkipThrottle({ [READ_LIMIT]: false, [WRITE_LIMIT]: true });
const writeLimited = SkipThrottle({ [READ_LIMIT]: true, [WRITE_LIMIT]: false });

/**
 * An admin route that needs a credential with `scope`: a `read` route counts against the read limit,
 * an `operate` route against the write limit, and the OpenAPI document shows both security schemes
 * (either one will do), the scope (`x-admin-scope`) and the 401/403/429 answers. Answers are never cached.
 */
export function AdminRoute(scope: AdminScope) {
  return applyDecorators(
    RequiresScope(scope),
    scope === 'read' ? readLimited : writeLimited,
    // Admin answers are one operator's view of live state: no cache or proxy may keep them.
    Header('Cache-Control', 'no-store'),
    ApiSecurity(ADMIN_BEARER_SCHEME),
    ApiSecurity(ADMIN_API_KEY_SCHEME),
    ApiExtension('x-admin-scope', scope),
    ApiErrors({
      401: 'No credential, or one that no scheme accepts (see `WWW-Authenticate`).',
      403: `The credential lacks the \`${scope}\` scope (see \`WWW-Authenticate\`).`,
      429: `Too many admin ${scope === 'read' ? 'reads' : 'writes'} from this client this minute; retry after \`Retry-After\` seconds.`,
    }),
  );
}

/**
 * An admin route anyone may fetch: only for the page's static files, which hold no data. Still
 * rate-limited. Every data call the page makes goes to an {@link AdminRoute}.
 */
export function AdminPublic() {
  return applyDecorators(
    SetMetadata(ADMIN_PUBLIC, true),
    readLimited,
    ApiNotModifiedResponse({ description: 'The file has not changed since the `ETag` sent as `If-None-Match`.' }),
    ApiErrors({ 429: 'Too many admin reads from this client this minute; retry after `Retry-After` seconds.' }),
  );
}
