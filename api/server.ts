// The HTTP server: the port is bound first, before the database opens (which takes seconds on
// the embedded database), so a port in use fails at once and holds nothing. Requests that come
// while the database is still opening get 503 with Retry-After. The server's time limits are set
// on purpose (api/config.ts): a client that sends its headers or its body too slowly is answered
// 408 and its connection closed, so slow requests cannot hold connections for long. Once it
// serves, it computes every study's first dashboard answer in the background.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Db } from '../db/kysely.ts';
import type { AppDeps } from './app.ts';
import { configFromEnv, DEFAULT_TIMEOUTS, type Config } from './config.ts';

export interface ServeOptions extends Pick<AppDeps, 'webScript'> {
  /**
   * Ready the server for large studies' dashboards, as `smp serve` does: on a PostgreSQL server,
   * chart answers are computed on a thread of their own (chart-answer-thread.ts), which first
   * runs the analysis's code on a generated cohort so that the first real answer runs optimized
   * code (analysis-warm-up.ts); on the embedded database, that warm-up runs on this thread.
   * Tests, which start many servers, leave it off.
   */
  analysisThread?: boolean;
}

export interface BoundServer {
  /** The address to print, e.g. http://127.0.0.1:3000/. */
  url: string;
  /** Start answering with the tracker on `db`; `options.webScript`: see AppDeps. */
  serve(db: Db, options?: ServeOptions): Promise<void>;
  close(): Promise<void>;
}

const starting: http.RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
  res.end(JSON.stringify({ type: 'about:blank', title: 'starting', status: 503, detail: 'the tracker is starting; try again in a moment' }));
};

export type ServerConfig = Pick<Config, 'host' | 'port'> &
  Partial<Pick<Config, 'headersTimeoutSeconds' | 'requestTimeoutSeconds' | 'keepAliveTimeoutSeconds'>>;

/** A problem+json answer written straight to a socket, for errors met before express has the request. */
function rawProblem(status: number, title: string, detail: string): string {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Errors of a connection before or while its request is read: too slow (408), headers too large
 * (431), unreadable (400). Answered as problem+json, then the connection is closed. Node does the
 * same without a body when no listener is set.
 */
function onClientError(error: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Socket, limits: { headers: number; request: number }): void {
  const response = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (!socket.writable || (response && response.headersSent)) {
    socket.destroy();
    return;
  }
  let answer: string;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    answer = rawProblem(408, 'request timeout', `the request was not received in full within ${limits.request} seconds (headers within ${limits.headers})`);
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    answer = rawProblem(431, 'request header fields too large', 'the request headers are too large');
  } else if (error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  } else {
    answer = rawProblem(400, 'bad request', 'the request is not valid HTTP/1.1');
  }
  socket.end(answer);
}

/**
 * How to choose the port, in the forms that work: npm passes options to the script only after
 * `--` (`npm start --port N` would be read by npm itself and never reach the server).
 */
export const HOW_TO_CHOOSE_A_PORT = '`npm start -- --port N`, `smp serve --port N` or `PORT=N npm start`';

/** Bind the configured host and port; fails at once, with the port named, when it is in use. */
export async function bindServer(config: ServerConfig): Promise<BoundServer> {
  let handler: http.RequestListener = starting;
  let stopListening: (() => Promise<void>) | undefined;
  let stopThread: (() => Promise<void>) | undefined;
  const headers = config.headersTimeoutSeconds ?? DEFAULT_TIMEOUTS.headers;
  const request = config.requestTimeoutSeconds ?? DEFAULT_TIMEOUTS.request;
  const server = http.createServer(
    {
      headersTimeout: headers * 1000,
      requestTimeout: request * 1000,
      keepAliveTimeout: (config.keepAliveTimeoutSeconds ?? DEFAULT_TIMEOUTS.keepAlive) * 1000,
      // How often the limits are checked: a tenth of the shorter one (Node's default is every
      // 30 seconds, which would let a 20-second limit run to 50).
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.min(headers, request) * 100)),
    },
    (req, res) => handler(req, res),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => onClientError(error, socket, { headers, request }));
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${config.port} on ${config.host} is in use; choose another: ${HOW_TO_CHOOSE_A_PORT}`)
          : error.code === 'EACCES'
            ? new Error(`port ${config.port} on ${config.host} needs privileges; choose one above 1023: ${HOW_TO_CHOOSE_A_PORT}`)
            : error,
      ),
    );
    server.listen(config.port, config.host);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/`,
    async serve(db, options = {}) {
      const { createApp } = await import('./app.ts');
      handler = createApp({ db, ...options });
      if (options.analysisThread) {
        const { startChartAnswerThread, stopChartAnswerThread } = await import('./services/workers/chart-answer-thread.ts');
        if (startChartAnswerThread(db, true)) stopThread = () => stopChartAnswerThread(db);
        else {
          const { warmChartAnalysis } = await import('./services/analysis-warm-up.ts');
          warmChartAnalysis().catch(() => {});
        }
      }
      stopListening = await prepareStudiesAsLoaded(db);
      await prepareEveryStudy(db);
    },
    // Stops accepting, lets requests under way finish (an import commits or rolls back whole).
    async close() {
      await stopListening?.();
      await stopThread?.();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * Start computing every study's first dashboard answer in the background (see
 * prepareStudyCharts): after a restore, or imports by the command line while no server ran, the
 * first views are as fast as the next. Resolves once the computations are under way.
 */
async function prepareEveryStudy(db: Db): Promise<void> {
  const [{ listStudies }, { prepareStudyCharts }] = await Promise.all([import('./services/study-service.ts'), import('./services/analysis-service.ts')]);
  const { suppressBelow } = configFromEnv();
  for (const study of await listStudies(db)) await prepareStudyCharts(db, study.code, suppressBelow);
}

/**
 * Compute a study's first dashboard answer whenever an import or a replace is announced on the
 * database (notifyStudyLoaded), by this process, another server process or `smp import` on the
 * command line; a computation already under way or done for the same data is shared, not repeated.
 */
async function prepareStudiesAsLoaded(db: Db): Promise<() => Promise<void>> {
  const [{ STUDY_LOADED_CHANNEL }, { prepareStudyCharts }] = await Promise.all([
    import('../db/repositories/server-state-repository.ts'),
    import('./services/analysis-service.ts'),
  ]);
  const { suppressBelow } = configFromEnv();
  return db.listen(STUDY_LOADED_CHANNEL, (code) => {
    prepareStudyCharts(db, code, suppressBelow).catch(() => {});
  });
}

/** Bind and serve `db` at once (tests and embedding). */
export async function startServer(db: Db, config: ServerConfig): Promise<Omit<BoundServer, 'serve'>> {
  const server = await bindServer(config);
  await server.serve(db);
  return server;
}
