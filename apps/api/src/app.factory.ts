import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLambdaFlexApp } from '@lambdaflex/nest';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';

/**
 * The app with a configuration given rather than read (the suites in test/ and the OpenAPI writer):
 * the same app `main.ts` and `lambda.ts` run, initialised, not listening.
 */
export function createApp(config: AppConfig, logger?: Logger): Promise<NestExpressApplication> {
  // The configuration is whole: nothing is read from the environment.
  return createLambdaFlexApp(AppModule.forRoot(config), { runsOn: config.tier === 'lambda' ? 'lambda' : 'server', env: {}, logger });
}
