import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import pino from 'pino';
import { createApp } from '../app.factory';
import { loadConfig } from '../config/config';
import { buildOpenApiDocument } from './document';

const NOW = Date.parse('2030-06-01T12:00:00.250Z');

describe('the pet store\'s OpenAPI document, built in process without a server', () => {
  let app: NestExpressApplication;
  let document: OpenAPIObject;
  beforeAll(async () => {
    // No endpoint is ever called: the document is read off the app's routes and decorators.
    app = await createApp(loadConfig({ SERVICE_NAME: 'shop' }, 'server'), pino({ level: 'silent' }));
    document = buildOpenApiDocument(app, NOW);
  });
  afterAll(() => app.close());

  it('describes the pet store beside the health and admin routes LambdaFlex adds', () => {
    expect(document.info).toMatchObject({ title: 'LambdaFlex API', version: '0.1.0' });
    expect(document.tags?.map((t) => t.name)).toEqual(['pets', 'health', 'admin']);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/pets', '/pets/{id}', '/healthz', '/readyz', '/admin/policy']));
    expect(document.paths['/pets'].get?.security).toEqual([]);
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('says what the server enforces on the pets: an integer limit, no unknown field, an update that sets one', () => {
    const limit = (document.paths['/pets'].get?.parameters as ParameterObject[]).find((p) => p.name === 'limit');
    expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    const schemas = document.components?.schemas as Record<string, SchemaObject>;
    expect(schemas.CreatePetDto.additionalProperties).toBe(false);
    expect(schemas.UpdatePetDto).toMatchObject({ additionalProperties: false, minProperties: 1 });
    expect(schemas.ErrorResponse).toBeDefined();
  });

  it('says what readiness proves: the pets table answers', () => {
    expect(document.paths['/readyz'].get?.summary).toBe('Readiness: the pets table answers');
  });
});
