// The HTTP server's time limits (SMP_HEADERS_TIMEOUT_SECONDS, SMP_REQUEST_TIMEOUT_SECONDS,
// SMP_KEEP_ALIVE_TIMEOUT_SECONDS): a body trickling in at one byte a second is cut off at the
// request limit with a 408 problem and a closed connection, and so are headers that never end;
// the configuration refuses values that cannot work, naming the variable. Short limits (1 and 2
// seconds) keep the test quick; the defaults are checked as numbers.
import net from 'node:net';
import { expect } from 'chai';
import { configFromEnv } from '../../api/config.ts';
import { bindServer, type BoundServer } from '../../api/server.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

interface Trickled {
  /** Everything the server sent before it closed the connection. */
  answer: string;
  /** Body bytes sent before the connection closed. */
  sent: number;
}

/** Sends `head` at once, then `bodyBytes` bytes one a second, until the server closes the connection. */
function trickle(url: string, head: string, bodyBytes: number): Promise<Trickled> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < bodyBytes && !socket.destroyed) {
          socket.write('x');
          sent++;
        }
      }, 1000);
    });
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // Writing the next byte after the server closed: the answer is already in.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
  });
}

describe(`the HTTP server's time limits (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: BoundServer;

  before(async () => {
    db = await freshDb();
    server = await bindServer({ host: '127.0.0.1', port: 0, headersTimeoutSeconds: 1, requestTimeoutSeconds: 2, keepAliveTimeoutSeconds: 1 });
    await server.serve(db);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('answers a body sent at 1 byte a second with 408 problem+json at the request limit, and closes the connection', async () => {
    const body = 100;
    const { host } = new URL(server.url);
    const head =
      `POST /api/auth/sign-in HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` + `Content-Length: ${body}\r\nConnection: keep-alive\r\n\r\n`;
    const { answer, sent } = await trickle(server.url, head, body);
    const [status, ...rest] = answer.split('\r\n');
    expect(status).to.equal('HTTP/1.1 408 Request Timeout');
    expect(rest).to.include('Content-Type: application/problem+json');
    expect(rest).to.include('Connection: close');
    const problem = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(problem).to.deep.equal({
      type: 'about:blank',
      title: 'request timeout',
      status: 408,
      detail: 'the request was not received in full within 2 seconds (headers within 1)',
    });
    // Cut off long before the body was complete: the connection closed after a few bytes.
    expect(sent).to.be.below(body / 2);
    // No answer but the 408 went out on this connection.
    expect(answer.match(/HTTP\/1\.1 /g)).to.have.length(1);
  });

  it('answers headers that never end with 408 at the headers limit', async () => {
    const { answer, sent } = await trickle(server.url, 'GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ', 100);
    expect(answer.split('\r\n')[0]).to.equal('HTTP/1.1 408 Request Timeout');
    expect(sent).to.be.below(50);
  });

  it('still answers a request sent at once', async () => {
    const reply = await fetch(`${server.url}api/health`);
    expect(reply.status).to.equal(200);
  });

  it('sets the limits from the environment, with defaults sized for the largest import, and refuses ones that cannot work', () => {
    const defaults = configFromEnv({});
    expect([defaults.headersTimeoutSeconds, defaults.requestTimeoutSeconds, defaults.keepAliveTimeoutSeconds]).to.deep.equal([20, 180, 10]);
    const set = configFromEnv({ SMP_HEADERS_TIMEOUT_SECONDS: '30', SMP_REQUEST_TIMEOUT_SECONDS: '900', SMP_KEEP_ALIVE_TIMEOUT_SECONDS: '65' });
    expect([set.headersTimeoutSeconds, set.requestTimeoutSeconds, set.keepAliveTimeoutSeconds]).to.deep.equal([30, 900, 65]);
    expect(() => configFromEnv({ SMP_REQUEST_TIMEOUT_SECONDS: 'soon' })).to.throw(
      'SMP_REQUEST_TIMEOUT_SECONDS must be a whole number from 1 to 86400 (got "soon")',
    );
    expect(() => configFromEnv({ SMP_HEADERS_TIMEOUT_SECONDS: '0' })).to.throw('SMP_HEADERS_TIMEOUT_SECONDS must be a whole number from 1 to 3600 (got "0")');
    expect(() => configFromEnv({ SMP_KEEP_ALIVE_TIMEOUT_SECONDS: '-1' })).to.throw('SMP_KEEP_ALIVE_TIMEOUT_SECONDS must be a whole number');
    expect(() => configFromEnv({ SMP_HEADERS_TIMEOUT_SECONDS: '60', SMP_REQUEST_TIMEOUT_SECONDS: '30' })).to.throw(
      'SMP_HEADERS_TIMEOUT_SECONDS (60) must not be more than SMP_REQUEST_TIMEOUT_SECONDS (30): the headers are part of the request',
    );
  });
});
