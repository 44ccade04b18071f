import { Module, type DynamicModule } from '@nestjs/common';
import { LAMBDAFLEX_CONFIG, LAMBDAFLEX_ENTRY, LambdaFlexModule, type LambdaFlexConfig, type LambdaFlexEntry } from '@lambdaflex/nest';
import { APP_CONFIG, withPets, type AppConfig } from './config/config';
import { openApiFrame, withPetRules } from './openapi/document';
import { PetsModule } from './pets/pets.module';
import { PetsRepository } from './pets/pets.repository';

/** The API: the pet store, run under LambdaFlex (health, admin API and page, one image on both tiers). */
@Module({})
export class AppModule {
  /**
   * With `config`, the app runs with it (the tests, the OpenAPI writer); without, LambdaFlex and the pet
   * store read theirs at start from the environment of the entry that runs them.
   */
  static forRoot(config?: AppConfig): DynamicModule {
    const { petsTable: _petsTable, ...lambdaflex } = config ?? ({} as Partial<AppConfig>);
    return {
      module: AppModule,
      global: true,
      imports: [
        LambdaFlexModule.forRoot({
          ...lambdaflex,
          readiness: { check: PetsRepository, description: 'the pets table answers' },
          openApi: { frame: openApiFrame, refine: withPetRules },
        }),
        PetsModule,
      ],
      providers: [
        config
          ? { provide: APP_CONFIG, useValue: config }
          : {
              provide: APP_CONFIG,
              inject: [LAMBDAFLEX_CONFIG, LAMBDAFLEX_ENTRY],
              useFactory: (lambdaFlexConfig: LambdaFlexConfig, entry: LambdaFlexEntry) => withPets(lambdaFlexConfig, entry.env),
            },
      ],
      exports: [APP_CONFIG],
    };
  }
}
