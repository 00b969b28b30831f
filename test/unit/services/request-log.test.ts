// The request log's line per request: what it holds (id, method, path without the query, status,
// response time, the user once known) and what it never holds (headers, cookies, tokens, the query).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import { pino } from 'pino';
import { requestLog, requestLogger } from '../../../api/http/request-log.ts';

describe('the request log', () => {
  let server: http.Server;
  let base: string;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const app = express();
    app.use(requestLog(logger));
    app.get('/signed-in', (_req, res) => {
      res.locals.actor = { username: 'alice' };
      res.json({ ok: true });
    });
    app.get('/plain', (_req, res) => res.status(404).json({ ok: false }));
    app.get('/fails', (req, res) => {
      requestLogger(logger, req).error({ err: new Error('boom') }, 'request failed');
      res.status(500).json({ ok: false });
    });
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.end('late'), 300);
    });
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  /** The lines logged for the request with this id, once the response has ended. */
  async function linesOf(id: string, count = 1) {
    for (let i = 0; i < 50 && lines.filter((l) => (l.req as { id: string } | undefined)?.id === id).length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return lines.filter((l) => (l.req as { id: string } | undefined)?.id === id);
  }

  it('writes one line per request: id, method, path without the query, status, time and user, and nothing of the headers', async () => {
    const reply = await fetch(`${base}/signed-in?token=secret-in-query`, {
      headers: { 'x-request-id': 'req-1', authorization: 'Bearer smp_secret_token', cookie: 'smp_session=secret-cookie' },
    });
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('x-request-id')).to.equal('req-1');
    const [line, ...more] = await linesOf('req-1');
    expect(more).to.have.length(0);
    expect(line).to.include({ level: 30, msg: 'request completed', user: 'alice' });
    expect(line!.req).to.deep.equal({ id: 'req-1', method: 'GET', path: '/signed-in' });
    expect(line!.res).to.deep.equal({ status: 200 });
    expect(line!.responseTime).to.be.a('number').within(0, 5_000);
    const text = JSON.stringify(line);
    for (const secret of ['secret-in-query', 'smp_secret_token', 'secret-cookie', 'authorization', 'cookie']) expect(text).not.to.include(secret);
  });

  it('gives a request without a usable id a new one, and names no user when none signed in', async () => {
    const reply = await fetch(`${base}/plain`, { headers: { 'x-request-id': 'bad id with spaces' } });
    const id = reply.headers.get('x-request-id')!;
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    const [line] = await linesOf(id);
    expect(line).to.include({ msg: 'request completed' });
    expect(line).not.to.have.property('user');
    expect(line!.res).to.deep.equal({ status: 404 });
  });

  it('logs a failed request with its error, and the error logged while answering names the request', async () => {
    const reply = await fetch(`${base}/fails`, { headers: { 'x-request-id': 'req-500' } });
    expect(reply.status).to.equal(500);
    const found = await linesOf('req-500', 2);
    expect(found.map((l) => l.msg)).to.deep.equal(['request failed', 'request errored']);
    expect((found[0]!.err as { message: string }).message).to.equal('boom');
    expect((found[1]!.err as { message: string }).message).to.equal('failed with status code 500');
    expect(found[1]!.res).to.deep.equal({ status: 500 });
  });

  it('logs a request whose client left before the answer as aborted', async () => {
    const request = http.get(`${base}/slow`, { headers: { 'x-request-id': 'req-gone' } });
    request.on('error', () => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    request.destroy();
    const [line] = await linesOf('req-gone');
    expect(line).to.include({ msg: 'request aborted' });
  });
});
