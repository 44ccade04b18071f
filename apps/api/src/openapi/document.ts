import type { DocumentBuilder, OpenAPIObject } from '@nestjs/swagger';
import { CreatePetDto, UpdatePetDto } from '../pets/dto/pet.dto';

export { buildOpenApiDocument } from '@lambdaflex/nest';

/** The document's frame: what the API is; LambdaFlex adds its server, its tags and the admin schemes. */
export function openApiFrame(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .setTitle('LambdaFlex API')
    .setDescription(
      'One service image, served by AWS Lambda or AWS Fargate as the load moves: a pet store, health checks for the ' +
        'load balancers, and the admin API of LambdaFlex itself. Every error has one shape, `ErrorResponse`.',
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addTag('pets', 'The pet store, on DynamoDB; public.');
}

/**
 * What the global validation pipe enforces on the pets' bodies and the decorators cannot say: an
 * unknown field is a 400 (forbidNonWhitelisted), and an update sets at least one field.
 */
export function withPetRules(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const dto of [CreatePetDto, UpdatePetDto]) {
    const schema = schemas[dto.name];
    if (schema && !('$ref' in schema)) schema.additionalProperties = false;
  }
  const update = schemas[UpdatePetDto.name];
  if (update && !('$ref' in update)) update.minProperties = 1;
  return document;
}
