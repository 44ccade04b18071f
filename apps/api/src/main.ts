import type { Logger } from 'pino';
import { createApp } from './app.factory';
import { createLogger } from './common/logging';
import { loadConfig, type AppConfig } from './config/config';
import { InstantSpill } from './spill/instant-spill';
import { createLambdaInvoker } from './spill/lambda-invoker';

/**
 * The server entry (Fargate behind an ALB, and local): listens on PORT and, on SIGTERM, stops
 * accepting, lets in-flight requests finish, and exits before ECS's SIGKILL.
 */
async function main() {
  const config = loadConfig(process.env, 'server');
  const logger = createLogger(config);
  const spill = instantSpill(config, logger);
  const app = await createApp(config, logger, { admission: spill?.middleware });
  const server = app.getHttpServer();
  // Longer than the ALB's 60 s idle timeout, so the ALB never reuses a connection we just closed (502s).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.listen(config.port, config.host);
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.port }, 'listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'drain timed out; exiting with requests in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    // Stop accepting at once, then wait for open connections; keep-alive connections that go idle
    // after their last response are closed as they do, so the wait ends with the last request.
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    // Said once the port is closed: whoever reads this line can rely on new connections being refused.
    logger.info({ signal }, 'draining');
    const reapIdle = setInterval(() => server.closeIdleConnections(), 100);
    await drained;
    clearInterval(reapIdle);
    await app.close(); // Nest's shutdown hooks; the server is closed already
    logger.info({ spill: spill?.counts }, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** The in-flight limit and where its excess goes, or nothing when the limit is off (0). */
function instantSpill(config: AppConfig, logger: Logger): InstantSpill | undefined {
  const { maxInFlight, functionName, lambdaEndpoint } = config.spill;
  logger.info({ maxInFlight, spillFunction: functionName ?? null }, 'in-flight limit');
  if (maxInFlight === 0) return undefined;
  // One client per process: its connections to Lambda stay open between spills.
  const invoker = functionName ? createLambdaInvoker({ functionName, region: config.region, endpoint: lambdaEndpoint }) : undefined;
  return new InstantSpill({ maxInFlight, invoker, logger });
}

main().catch((err: Error) => {
  process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'start failed', error: err.message }) + '\n');
  process.exit(1);
});
