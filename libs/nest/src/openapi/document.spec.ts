import { Controller, Get, Injectable, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiOkResponse, ApiOperation, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import pino from 'pino';
import { createLambdaFlexApp } from '../app/create-app';
import { LambdaFlexModule } from '../lambdaflex.module';
import type { ReadinessCheck } from '../lambdaflex.options';
import { buildOpenApiDocument, withFreshExamples } from './document';
import { ApiErrors, EVERY_OPERATION, operationsOf } from './errors';

const NOW = Date.parse('2030-06-01T12:00:00.250Z');

@ApiTags('orders')
@Controller('orders')
class OrdersController {
  @Get()
  @ApiOperation({ operationId: 'listOrders', summary: 'The orders', security: [] })
  @ApiOkResponse({ description: 'The orders.' })
  @ApiErrors({ 400: 'A bad query.' })
  list() {
    return [];
  }
}

@Injectable()
class OrdersReady implements ReadinessCheck {
  check() {}
}

@Module({
  imports: [
    LambdaFlexModule.forRoot({
      readiness: { check: OrdersReady, description: 'the orders table answers' },
      openApi: { frame: (b) => b.setTitle('Orders').addTag('orders', 'The orders.'), refine: (d) => ({ ...d, info: { ...d.info, version: '2.0.0' } }) },
    }),
  ],
  controllers: [OrdersController],
  providers: [OrdersReady],
})
class OrdersModule {}

describe('the OpenAPI document of an app under LambdaFlex, built in process without a server', () => {
  let app: NestExpressApplication;
  let document: OpenAPIObject;
  beforeAll(async () => {
    // No endpoint is ever called: the document is read off the app's routes and decorators.
    app = await createLambdaFlexApp(OrdersModule, { env: { SERVICE_NAME: 'shop' }, logger: pino({ level: 'silent' }) });
    document = buildOpenApiDocument(app, NOW);
  });
  afterAll(() => app.close());

  const parameter = (path: string, method: 'get' | 'put', name: string) =>
    (document.paths[path][method]?.parameters as ParameterObject[]).find((p) => p.name === name);

  it("frames the app's document and adds LambdaFlex's server, tags and routes", () => {
    expect(document.info).toMatchObject({ title: 'Orders', version: '2.0.0' });
    expect(document.tags?.map((t) => t.name)).toEqual(['orders', 'health', 'admin']);
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/orders', '/healthz', '/readyz', '/admin/status', '/stack-status', '/admin/ui']));
  });

  it('gives every operation an operationId, a summary and a security requirement (none for public ones)', () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(15);
    for (const { operation } of operations) {
      expect(operation).toEqual(expect.objectContaining({ operationId: expect.any(String), summary: expect.any(String), security: expect.any(Array) }));
    }
    expect(document.paths['/healthz'].get?.security).toEqual([]);
  });

  it('describes every error answer with the one error shape, and the request-level ones on every operation', () => {
    for (const { operation } of operationsOf(document)) {
      for (const status of Object.keys(EVERY_OPERATION)) expect(operation.responses[status]).toBeDefined();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) {
          expect(response).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } });
        }
      }
    }
  });

  it('says what the server enforces: an optional If-Match, a key that is no JWT, no unknown field', () => {
    expect(parameter('/admin/policy', 'put', 'If-Match')?.required).toBe(false);
    expect(parameter('/admin/policy', 'put', 'If-None-Match')?.schema).toMatchObject({ enum: ['*'] });
    expect(document.components?.securitySchemes?.['admin-bearer']).not.toHaveProperty('bearerFormat');
    const input = document.components?.schemas?.PolicyInput as SchemaObject;
    expect(input.required).toEqual(['service']);
    expect(input.properties?.service).toMatchObject({ enum: ['shop'] });
    expect((document.components?.schemas?.SetOverrideDto as SchemaObject).additionalProperties).toBe(false);
  });

  it("tells readiness in the service's words", () => {
    expect(document.paths['/readyz'].get?.summary).toBe('Readiness: the orders table answers');
    expect(document.paths['/readyz'].get?.responses['200']).toMatchObject({ description: 'The orders table answers.' });
  });

  it("sets a pin's example `until` a day after the time the document is served, in whole seconds", () => {
    const later = withFreshExamples(document, NOW + 10 * 86_400_000);
    const until = (doc: OpenAPIObject) =>
      ((doc.paths['/admin/override'].put?.requestBody as RequestBodyObject).content['application/json'].examples?.pinUntil as { value: { until: string } })
        .value.until;
    expect(until(document)).toBe('2030-06-02T12:00:00Z');
    expect(until(later)).toBe('2030-06-12T12:00:00Z');
    expect(((document.components?.schemas?.SetOverrideDto as SchemaObject).properties?.until as SchemaObject).example).toBe('2030-06-02T12:00:00Z');
  });
});
