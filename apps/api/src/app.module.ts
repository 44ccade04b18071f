import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { APP_CONFIG, type AppConfig } from './config/config';
import { DynamoDbModule } from './dynamodb/dynamodb.module';
import { HealthModule } from './health/health.module';
import { PetsModule } from './pets/pets.module';

/** The API: health for the load balancers, the pet store, and the admin API and page of LambdaFlex. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [DynamoDbModule, HealthModule, PetsModule, AdminModule],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
