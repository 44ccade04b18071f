import { Controller, Get, Inject, Injectable, Module, ServiceUnavailableException, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Context } from 'aws-lambda';
import request from 'supertest';
import type { LambdaFlexConfig } from '../config/config';
import { LambdaFlexModule } from '../lambdaflex.module';
import type { LambdaFlexOptions, ReadinessCheck } from '../lambdaflex.options';
import { LAMBDAFLEX_CONFIG, LAMBDAFLEX_ENTRY } from '../tokens';
import { createLambdaFlexApp } from './create-app';
import { createLambdaHandler } from './lambda-handler';

/** What the orders' readiness check does next: pass, fail with its own answer, or fail with an error. */
let readiness: 'ok' | 'http' | 'error' = 'ok';

@Injectable()
class OrdersTable implements ReadinessCheck {
  check() {
    if (readiness === 'http') throw new ServiceUnavailableException('table orders is not reachable: ResourceNotFoundException');
    if (readiness === 'error') throw new TypeError('socket hang up at 10.0.0.7');
  }
}

@Controller('orders')
class OrdersController {
  constructor(@Inject(LAMBDAFLEX_CONFIG) private readonly config: LambdaFlexConfig) {}
  @Get()
  list() {
    return { service: this.config.serviceName, items: [] };
  }
}

const SILENT = { LOG_LEVEL: 'silent' };

function ordersApp(options: LambdaFlexOptions = {}, providers = [OrdersTable]): DynamicModule {
  @Module({})
  class OrdersModule {}
  return {
    module: OrdersModule,
    imports: [LambdaFlexModule.forRoot({ readiness: { check: OrdersTable }, ...options })],
    controllers: [OrdersController],
    providers,
  };
}

describe('createLambdaFlexApp', () => {
  let app: NestExpressApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    readiness = 'ok';
  });

  it("serves the app's routes beside health, with the tier and request id on every answer", async () => {
    app = await createLambdaFlexApp(ordersApp(), { env: { ...SILENT, SERVICE_NAME: 'orders', LAMBDAFLEX_TIER: 'fargate' } });
    const orders = await request(app.getHttpServer()).get('/orders').expect(200);
    expect(orders.body).toEqual({ service: 'orders', items: [] });
    expect(orders.headers).toMatchObject({ 'x-lambdaflex-tier': 'fargate', 'x-request-id': expect.any(String) });
    await request(app.getHttpServer()).get('/healthz').expect(200, { status: 'ok', tier: 'fargate' });
  });

  it("answers /readyz by the app's check: 200, its own 503, or a 503 that names only the error's class", async () => {
    app = await createLambdaFlexApp(ordersApp(), { env: SILENT });
    await request(app.getHttpServer()).get('/readyz').expect(200, { status: 'ready', tier: 'local' });
    readiness = 'http';
    expect((await request(app.getHttpServer()).get('/readyz').expect(503)).body.message).toBe('table orders is not reachable: ResourceNotFoundException');
    readiness = 'error';
    const failed = await request(app.getHttpServer()).get('/readyz').expect(503);
    expect(failed.body).toMatchObject({ statusCode: 503, message: 'not ready: TypeError', requestId: failed.headers['x-request-id'] });
  });

  it('takes options over the environment, and gives the app the entry it runs under', async () => {
    app = await createLambdaFlexApp(ordersApp({ serviceName: 'billing' }), { runsOn: 'lambda', env: { ...SILENT, SERVICE_NAME: 'orders' } });
    expect(app.get<LambdaFlexConfig>(LAMBDAFLEX_CONFIG, { strict: false })).toMatchObject({ serviceName: 'billing', tier: 'lambda' });
    expect(app.get(LAMBDAFLEX_ENTRY, { strict: false })).toMatchObject({ runsOn: 'lambda', env: { SERVICE_NAME: 'orders' } });
  });

  it('takes its options from a factory with forRootAsync', async () => {
    const module: DynamicModule = {
      module: class AsyncOrdersModule {},
      imports: [LambdaFlexModule.forRootAsync({ useFactory: async () => ({ serviceName: 'async-orders', logLevel: 'silent' as const }) })],
      controllers: [OrdersController],
    };
    app = await createLambdaFlexApp(module, { env: {} });
    expect((await request(app.getHttpServer()).get('/orders').expect(200)).body.service).toBe('async-orders');
  });

  describe('fails the start with one readable line', () => {
    it('naming every bad option and variable', async () => {
      const start = createLambdaFlexApp(ordersApp({ admin: { readLimitPerMinute: 0 }, appName: 'has space' }), { env: { ...SILENT, STATE_TABLE: 'x' } });
      await expect(start).rejects.toThrow(/^invalid configuration: STATE_TABLE: .*; admin\.readLimitPerMinute: .*; appName: [^\n]*$/);
    });

    it('naming a readiness check that no module provides', async () => {
      await expect(createLambdaFlexApp(ordersApp({}, []), { env: SILENT })).rejects.toThrow(
        "invalid configuration: readiness.check: OrdersTable is not a provider: list it in one of the app's modules",
      );
    });

    it('when the app does not import LambdaFlexModule', async () => {
      @Controller('ping')
      class PingController {
        @Get()
        ping() {
          return 'pong';
        }
      }
      @Module({ controllers: [PingController] })
      class Bare {}
      await expect(createLambdaFlexApp(Bare, { env: SILENT })).rejects.toThrow(/LambdaFlexModule/);
    });
  });
});

describe('createLambdaHandler', () => {
  const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
  const event = (path: string) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.com' },
    requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'r1', stage: '$default' },
    isBase64Encoded: false,
  });

  it('creates the app at once and serves API Gateway HTTP API events as the lambda tier', async () => {
    const handler = createLambdaHandler(ordersApp(), { env: { ...SILENT, LAMBDAFLEX_TIER: 'fargate' } });
    const result = (await handler(event('/healthz'), context)) as { statusCode: number; body: string; headers: Record<string, string> };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ok', tier: 'lambda' });
    expect(result.headers['x-lambdaflex-tier']).toBe('lambda');
  });

  it('reports a failed start from the invocation, not at init', async () => {
    const handler = createLambdaHandler(ordersApp({ serviceName: 'Not_A_Name' }), { env: SILENT });
    await expect(handler(event('/healthz'), context)).rejects.toThrow(/serviceName/);
  });
});
