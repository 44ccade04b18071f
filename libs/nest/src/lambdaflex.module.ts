import { ConfigurableModuleBuilder, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module';
import type { RunsOn } from './config/config';
import { createLogger } from './common/logging';
import { dynamoDbProvider } from './dynamodb/dynamodb.provider';
import { HealthController } from './health/health.controller';
import { resolveSettings, type LambdaFlexOptions, type LambdaFlexSettings } from './lambdaflex.options';
import { DYNAMODB, ENTRY_INPUT, LAMBDAFLEX_CONFIG, LAMBDAFLEX_ENTRY, LAMBDAFLEX_LOGGER, LAMBDAFLEX_OPTIONS, LAMBDAFLEX_SETTINGS } from './tokens';

/** Which entry runs the app, and the environment it runs with (an entry helper says; else a server on `process.env`). */
export interface LambdaFlexEntry {
  runsOn: RunsOn;
  env: NodeJS.ProcessEnv;
  /** A logger the caller made (tests); else the module makes one from the configuration. */
  logger?: Logger;
}

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<LambdaFlexOptions>({ optionsInjectionToken: LAMBDAFLEX_OPTIONS })
  .setClassMethodName('forRoot')
  // Global: the app's own providers inject the DynamoDB client, the configuration and the logger.
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();

/**
 * What any NestJS app needs to run under LambdaFlex: `/healthz` and `/readyz`, the admin API
 * (`/admin/*`, `/stack-status`) and its page (`/admin/ui`) behind the keys of `ADMIN_KEYS`, and the
 * configuration, logger and DynamoDB client they share, which the app may inject too
 * ({@link LAMBDAFLEX_CONFIG}, {@link LAMBDAFLEX_LOGGER}, {@link DYNAMODB}, {@link LAMBDAFLEX_ENTRY}).
 *
 * The options are validated when the app starts; a bad one fails the start with one line naming it.
 * The HTTP pipeline around the routes (tier and request-id headers, one log line per request, security
 * headers, the JSON body limits, the validation pipe, the one error shape, `/docs`) is set up by the
 * entry helpers, `runServer` and `createLambdaHandler` (both through `createLambdaFlexApp`).
 *
 * ```ts
 * @Module({ imports: [LambdaFlexModule.forRoot({ readiness: { check: OrdersTableCheck } }), OrdersModule] })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [AdminModule],
  controllers: [HealthController],
  providers: [
    {
      provide: LAMBDAFLEX_ENTRY,
      inject: [{ token: ENTRY_INPUT, optional: true }],
      useFactory: (entry?: LambdaFlexEntry): LambdaFlexEntry => entry ?? { runsOn: 'server', env: process.env },
    },
    {
      provide: LAMBDAFLEX_SETTINGS,
      inject: [LAMBDAFLEX_OPTIONS, LAMBDAFLEX_ENTRY],
      useFactory: (options: LambdaFlexOptions | undefined, entry: LambdaFlexEntry) => resolveSettings(options ?? {}, entry.env, entry.runsOn),
    },
    { provide: LAMBDAFLEX_CONFIG, inject: [LAMBDAFLEX_SETTINGS], useFactory: (settings: LambdaFlexSettings) => settings.config },
    {
      provide: LAMBDAFLEX_LOGGER,
      inject: [LAMBDAFLEX_SETTINGS, LAMBDAFLEX_ENTRY],
      useFactory: (settings: LambdaFlexSettings, entry: LambdaFlexEntry) => entry.logger ?? createLogger(settings.config, settings.appName),
    },
    dynamoDbProvider,
  ],
  exports: [LAMBDAFLEX_CONFIG, LAMBDAFLEX_LOGGER, LAMBDAFLEX_ENTRY, DYNAMODB],
})
export class LambdaFlexModule extends ConfigurableModuleClass {
  /** The module with these options; none at all is fine (everything from the environment). */
  static override forRoot(options: LambdaFlexOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
