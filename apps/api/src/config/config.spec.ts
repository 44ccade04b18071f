import { loadConfig } from './config';

describe('loadConfig', () => {
  it('is LambdaFlex\'s configuration with the pets table, lambdaflex-pets by default', () => {
    expect(loadConfig({ SERVICE_NAME: 'shop' }, 'lambda')).toMatchObject({ tier: 'lambda', serviceName: 'shop', petsTable: 'lambdaflex-pets' });
    expect(loadConfig({ PETS_TABLE: 'pets-test' }, 'server').petsTable).toBe('pets-test');
  });

  it('names a bad PETS_TABLE', () => {
    expect(() => loadConfig({ PETS_TABLE: 'x' }, 'server')).toThrow(/^invalid configuration: PETS_TABLE: /);
  });
});
