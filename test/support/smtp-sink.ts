// A real SMTP server on loopback for the outbox tests (smtp-server, from the Nodemailer project):
// it keeps every message it accepted, with its envelope, headers and decoded plain text. It can
// refuse a recipient (550) or hold a message unanswered, to stand for a server that dies mid-send.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string;
  subject: string;
  /** The message body, quoted-printable decoded. */
  text: string;
  /** The whole message as received. */
  raw: string;
  /** The sending client's port on loopback: tells which process sent it. */
  clientPort: number;
}

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  /** Answer 550 to these recipients. */
  refuse: Set<string>;
  /** When set, the message it returns true for is read but never answered; `onHeld` is told. */
  hold?: ((mail: ReceivedMail) => boolean) | undefined;
  held: ReceivedMail[];
  close(): Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  return Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

function parse(raw: string, to: string[], clientPort: number): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const body = raw.slice(split + 4);
  const text = /quoted-printable/i.test(header('Content-Transfer-Encoding')) ? decodeQuotedPrintable(body) : body;
  return { to, messageId: header('Message-ID'), subject: header('Subject'), text: text.replace(/\r\n/g, '\n'), raw, clientPort };
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = { url: '', received: [], refuse: new Set(), held: [], close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (sink.refuse.has(address.address)) {
        const error = new Error(`<${address.address}>: Recipient address rejected: user unknown`) as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parse(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address), session.remotePort);
        if (sink.hold?.(mail)) {
          sink.held.push(mail);
          return; // never answered: the sender waits until it dies or times out
        }
        sink.received.push(mail);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
