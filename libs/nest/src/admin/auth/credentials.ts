import type { AdminScope } from '../../config/config';

/** A credential as a request presents it, before any scheme has looked at it. */
export interface PresentedCredential {
  /** Where it came from: `Authorization: Bearer …` or the `x-api-key` header. */
  source: 'bearer' | 'x-api-key';
  value: string;
}

/** Who a verified credential speaks for, and what it may do. Never holds the credential itself. */
export interface AdminPrincipal {
  /** The scheme that verified the credential (`api-key`, later `jwt`). */
  scheme: string;
  /** A stable, non-secret name for the caller, e.g. `key:1a2b3c4d` (the start of the key's hash). */
  subject: string;
  scopes: ReadonlySet<AdminScope>;
}

/**
 * One way of verifying admin credentials. {@link AdminAuthGuard} asks every configured scheme in
 * turn and the first principal wins, so adding JWTs means adding a scheme, not touching the guard.
 */
export interface AdminCredentialScheme {
  readonly name: string;
  /** The principal the credential proves, or undefined when this scheme does not accept it. */
  verify(credential: PresentedCredential): AdminPrincipal | undefined | Promise<AdminPrincipal | undefined>;
}

/** Nest injection token of the ordered list of {@link AdminCredentialScheme}s. */
export const ADMIN_CREDENTIAL_SCHEMES = Symbol('ADMIN_CREDENTIAL_SCHEMES');

/** `operate` implies `read`: an operator key can do everything a read-only key can. */
export function scopesOf(granted: AdminScope): Set<AdminScope> {
  return new Set<AdminScope>(granted === 'operate' ? ['read', 'operate'] : ['read']);
}
