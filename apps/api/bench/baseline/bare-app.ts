import express from 'express';

/** The baseline: plain express with the same route shape and body as the API's /healthz. */
export function bareApp() {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.get('/healthz', (_req, res) => {
    res.setHeader('x-lambdaflex-tier', 'local');
    res.json({ status: 'ok', tier: 'local' });
  });
  return app;
}
