import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ADMIN_API_KEY_SCHEME, ADMIN_BEARER_SCHEME } from '../admin/auth/admin-route.decorator';
import { withAdminExamples, withAdminSchemas } from '../admin/openapi';
import { CreatePetDto, UpdatePetDto } from '../pets/dto/pet.dto';
import { SetOverrideDto } from '../admin/dto/override.dto';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { withErrorResponses } from './errors';

const KEY = 'An admin API key (docs/admin.md): an opaque random token, not a JWT, checked against the SHA-256 hashes in `ADMIN_KEYS`.';

/** The document's frame: what the API is, where it is served, and how admin callers authenticate. */
export function openApiConfig() {
  return (
    new DocumentBuilder()
      .setTitle('LambdaFlex API')
      .setDescription(
        'One service image, served by AWS Lambda or AWS Fargate as the load moves: a pet store, health checks for the ' +
          'load balancers, and the admin API of LambdaFlex itself. Every error has one shape, `ErrorResponse`.',
      )
      .setVersion('0.1.0')
      .setLicense('MIT', 'https://opensource.org/license/mit')
      // Relative: the API is reached through API Gateway, an ALB or the local edge, all at the root.
      .addServer('/', 'The host that serves this document')
      .addTag('pets', 'The pet store, on DynamoDB; public.')
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
 * policy schemas from the shared zod schema, the one error shape on every error answer. Its examples
 * that depend on the time are refreshed by {@link withFreshExamples}.
 */
export function buildOpenApiDocument(app: INestApplication, now = Date.now()): OpenAPIObject {
  const { serviceName } = app.get<AppConfig>(APP_CONFIG);
  const document = SwaggerModule.createDocument(app, openApiConfig());
  return withFreshExamples(withErrorResponses(withRequestRules(withAdminSchemas(document, serviceName))), now);
}

/**
 * A copy of `document` whose time-bound examples hold at `now` (a pin's `until` a day ahead), so the
 * document's own examples are never refused as in the past, however long the process has served it.
 */
export function withFreshExamples(document: OpenAPIObject, now = Date.now()): OpenAPIObject {
  return withAdminExamples(structuredClone(document), now);
}

/**
 * What the global validation pipe enforces on the bodies it validates and the decorators cannot say:
 * an unknown field is a 400 (forbidNonWhitelisted), and an update sets at least one field.
 */
function withRequestRules(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const dto of [CreatePetDto, UpdatePetDto, SetOverrideDto]) {
    const schema = schemas[dto.name];
    if (schema && !('$ref' in schema)) schema.additionalProperties = false;
  }
  const update = schemas[UpdatePetDto.name];
  if (update && !('$ref' in update)) update.minProperties = 1;
  return document;
}
