import type { Logger } from 'pino';
import { loadServerConfig, type LambdaFlexConfig, type ServerOptions, type SpillConfig } from '../config/config';
import { InstantSpill } from '../spill/instant-spill';
import { createLambdaInvoker } from '../spill/lambda-invoker';
import { LAMBDAFLEX_LOGGER } from '../tokens';
import { createLambdaFlexApp, type AppModuleRef } from './create-app';

/** The server's options: each defaults from its variable (`PORT`, `HOST`, `SHUTDOWN_TIMEOUT_MS`, the spill's). */
export interface RunServerOptions extends ServerOptions {
  /** The environment to read settings from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The server entry (Fargate behind an ALB, and local): creates the app, listens on PORT with keep-alive
 * longer than the ALB's idle timeout and, on SIGTERM (or SIGINT), drains and exits before ECS's SIGKILL:
 *
 *   SIGTERM ─▶ close the port (new connections refused; "draining" logged) ─▶ in-flight requests finish,
 *           idle keep-alive connections closed as they go idle ─▶ app.close() ─▶ "stopped", exit 0
 *           (or, after SHUTDOWN_TIMEOUT_MS, exit 1 with requests still in flight)
 *
 * It owns the process: a start that fails (a bad option or variable among them) writes one JSON line to
 * stderr and exits 1.
 */
export async function runServer(module: AppModuleRef, options: RunServerOptions = {}): Promise<void> {
  const { env = process.env, ...serverOptions } = options;
  try {
    const server = loadServerConfig(env, serverOptions);
    let spill: InstantSpill | undefined;
    const app = await createLambdaFlexApp(module, {
      runsOn: 'server',
      env,
      admission: ({ config, logger }) => {
        spill = instantSpill(server.spill, config, logger);
        return spill?.middleware;
      },
    });
    const logger = app.get<Logger>(LAMBDAFLEX_LOGGER, { strict: false });
    const http = app.getHttpServer();
    // Longer than the ALB's idle timeout (60 s), so the ALB never reuses a connection we just closed (502s).
    http.keepAliveTimeout = server.keepAliveTimeoutMs;
    http.headersTimeout = server.keepAliveTimeoutMs + 1_000;
    await app.listen(server.port, server.host);
    const address = http.address();
    logger.info({ port: typeof address === 'object' && address ? address.port : server.port }, 'listening');

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        logger.warn({ timeoutMs: server.shutdownTimeoutMs }, 'drain timed out; exiting with requests in flight');
        process.exit(1);
      }, server.shutdownTimeoutMs).unref();
      // Stop accepting at once, then wait for open connections; keep-alive connections that go idle
      // after their last response are closed as they do, so the wait ends with the last request.
      const drained = new Promise<void>((resolve) => http.close(() => resolve()));
      // Said once the port is closed: whoever reads this line can rely on new connections being refused.
      logger.info({ signal }, 'draining');
      const reapIdle = setInterval(() => http.closeIdleConnections(), 100);
      await drained;
      clearInterval(reapIdle);
      await app.close(); // Nest's shutdown hooks; the server is closed already
      logger.info({ spill: spill?.counts }, 'stopped');
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (err) {
    process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'start failed', error: (err as Error).message }) + '\n');
    process.exit(1);
  }
}

/** The in-flight limit and where its excess goes, or nothing when the limit is off (0). */
function instantSpill(spill: SpillConfig, config: LambdaFlexConfig, logger: Logger): InstantSpill | undefined {
  const { maxInFlight, functionName, lambdaEndpoint } = spill;
  logger.info({ maxInFlight, spillFunction: functionName ?? null }, 'in-flight limit');
  if (maxInFlight === 0) return undefined;
  // One client per process: its connections to Lambda stay open between spills.
  const invoker = functionName ? createLambdaInvoker({ functionName, region: config.region, endpoint: lambdaEndpoint }) : undefined;
  return new InstantSpill({ maxInFlight, invoker, logger });
}
