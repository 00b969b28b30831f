// Email through SMTP with nodemailer: one transport per server process, made from SMTP_URL. The
// outbox hands it finished messages; `send` resolves once the mail server accepted the message
// (its 250 answer to the message's data) and rejects otherwise. Time limits are short, because
// the outbox waits for the answer while it holds the message's row.
import nodemailer from 'nodemailer';

/** A message as the outbox writes it: plain text only. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The whole Message-ID, angle brackets included: the same on every attempt at the message. */
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A mailer on the SMTP server at `url`, writing From `from`. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as Parameters<typeof nodemailer.createTransport>[1]);
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
    },
    close: () => transport.close(),
  };
}

/**
 * An error's text without email addresses: a mail server's refusal often quotes the recipient,
 * and the text is kept in the outbox and written to the log.
 */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>@"'(),;:]+@[^\s<>@"'(),;:]+/g, '(address)').slice(0, 500);
}
