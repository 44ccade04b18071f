module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'nest',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
