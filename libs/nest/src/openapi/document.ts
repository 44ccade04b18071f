import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ADMIN_API_KEY_SCHEME, ADMIN_BEARER_SCHEME } from '../admin/auth/admin-route.decorator';
import { SetOverrideDto } from '../admin/dto/override.dto';
import { withAdminExamples, withAdminSchemas } from '../admin/openapi';
import { READINESS_OPERATION } from '../health/health.controller';
import type { LambdaFlexSettings } from '../lambdaflex.options';
import { LAMBDAFLEX_SETTINGS } from '../tokens';
import { operationsOf, withErrorResponses } from './errors';

const KEY = 'An admin API key (docs/admin.md): an opaque random token, not a JWT, checked against the SHA-256 hashes in `ADMIN_KEYS`.';

/**
 * The document's frame: the app's (title, description, version, its tags), then what LambdaFlex adds —
 * the health and admin tags, the one server (relative: API Gateway, an ALB and the local edge all serve
 * at the root) and the two ways admin callers authenticate.
 */
export function openApiFrame(settings: LambdaFlexSettings) {
  const app = settings.openApi?.frame ?? ((b: DocumentBuilder) => b.setTitle(settings.config.serviceName));
  return (
    app(new DocumentBuilder())
      .addServer('/', 'The host that serves this document')
      .addTag('health', 'Liveness and readiness for the load balancers; public.')
      .addTag('admin', "LambdaFlex's admin API (an API key with the `read` or `operate` scope) and its status page.")
      // addBearerAuth() would label the scheme `bearerFormat: JWT`; the key is no JWT.
      .addSecurity(ADMIN_BEARER_SCHEME, { type: 'http', scheme: 'bearer', description: `\`Authorization: Bearer <key>\`. ${KEY}` })
      .addSecurity(ADMIN_API_KEY_SCHEME, {
        type: 'apiKey',
        in: 'header',
        name: 'x-api-key',
        description: `\`x-api-key: <key>\`: the same key, in its own header. ${KEY}`,
      })
      .build()
  );
}

/**
 * The OpenAPI document of `app`, built in process (no server needed): the routes' decorators, the
 * policy schemas from the shared zod schema, the app's own refinements, the one error shape on every
 * error answer. Its examples that depend on the time are refreshed by {@link withFreshExamples}.
 */
export function buildOpenApiDocument(app: INestApplication, now = Date.now()): OpenAPIObject {
  const settings = app.get<LambdaFlexSettings>(LAMBDAFLEX_SETTINGS, { strict: false });
  const document = SwaggerModule.createDocument(app, openApiFrame(settings));
  const refine = settings.openApi?.refine ?? ((d: OpenAPIObject) => d);
  const own = withReadiness(withRequestRules(withAdminSchemas(document, settings.config.serviceName)), settings.readiness?.description);
  return withFreshExamples(withErrorResponses(refine(own)), now);
}

/**
 * A copy of `document` whose time-bound examples hold at `now` (a pin's `until` a day ahead), so the
 * document's own examples are never refused as in the past, however long the process has served it.
 */
export function withFreshExamples(document: OpenAPIObject, now = Date.now()): OpenAPIObject {
  return withAdminExamples(structuredClone(document), now);
}

/** What the global validation pipe enforces and the decorators cannot say: an unknown field is a 400 (forbidNonWhitelisted). */
function withRequestRules(document: OpenAPIObject): OpenAPIObject {
  const schema = document.components?.schemas?.[SetOverrideDto.name];
  if (schema && !('$ref' in schema)) schema.additionalProperties = false;
  return document;
}

/** The service's own words for what `/readyz` proves (`readiness.description`), in its summary and its 200. */
function withReadiness(document: OpenAPIObject, description: string | undefined): OpenAPIObject {
  if (!description) return document;
  const found = operationsOf(document).find(({ operation }) => operation.operationId === READINESS_OPERATION);
  const operation: OperationObject | undefined = found?.operation;
  if (!operation) return document;
  operation.summary = `Readiness: ${description}`;
  const ok = operation.responses['200'] as ResponseObject | undefined;
  if (ok) ok.description = `${description[0].toUpperCase()}${description.slice(1)}.`;
  return document;
}
