import { bareApp } from './bare-app';
import { withPets } from './bare-pets';

/** The baseline server: bare express on PORT, reporting its port as the API's server does. */
const server = withPets(bareApp()).listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
