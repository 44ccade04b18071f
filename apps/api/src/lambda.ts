import { createLambdaHandler } from '@lambdaflex/nest';
import { AppModule } from './app.module';

/** The Lambda entry, named `lambda.handler` in the function's configuration; the app is created at init. */
export const handler = createLambdaHandler(AppModule.forRoot());
