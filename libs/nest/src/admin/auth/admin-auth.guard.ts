import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ADMIN_PUBLIC, RequiresScope } from './admin-route.decorator';
import {
  ADMIN_CREDENTIAL_SCHEMES,
  type AdminCredentialScheme,
  type AdminPrincipal,
  type PresentedCredential,
} from './credentials';

const REALM = 'lambdaflex-admin';
const BEARER = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

/**
 * Authenticates every admin route and enforces its scope:
 *
 *   credential? ── none ──────────────────────────▶ 401  WWW-Authenticate: Bearer realm=…
 *       │ Authorization: Bearer <key> | x-api-key
 *       ▼
 *   each scheme in turn ── none accepts ──────────▶ 401  …, error="invalid_token"
 *       │ principal
 *       ▼
 *   has the route's scope? ── no ─────────────────▶ 403  …, error="insufficient_scope", scope=…
 *       │ yes
 *       ▼ the handler
 *
 * A route without a declared scope needs `operate` (fail closed). Credentials are never logged or echoed.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_CREDENTIAL_SCHEMES) private readonly schemes: AdminCredentialScheme[],
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_PUBLIC, targets)) return true;
    const required = this.reflector.getAllAndOverride(RequiresScope, targets) ?? 'operate';
    const http = context.switchToHttp();
    const res = http.getResponse<Response>();

    const credential = presentedCredential(http.getRequest<Request>());
    if (!credential) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}"`);
      throw new UnauthorizedException('an admin credential is required: Authorization: Bearer <key>, or x-api-key');
    }
    const principal = await this.verify(credential);
    if (!principal) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
      throw new UnauthorizedException('the admin credential is not valid');
    }
    if (!principal.scopes.has(required)) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}", error="insufficient_scope", scope="${required}"`);
      throw new ForbiddenException(`this credential lacks the ${required} scope`);
    }
    return true;
  }

  private async verify(credential: PresentedCredential): Promise<AdminPrincipal | undefined> {
    for (const scheme of this.schemes) {
      const principal = await scheme.verify(credential);
      if (principal) return principal;
    }
    return undefined;
  }
}

/** The bearer token of `Authorization`, else the `x-api-key` header; undefined when there is neither. */
export function presentedCredential(req: Pick<Request, 'headers'>): PresentedCredential | undefined {
  const bearer = BEARER.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return { source: 'bearer', value: bearer };
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return { source: 'x-api-key', value: apiKey.trim() };
  return undefined;
}
