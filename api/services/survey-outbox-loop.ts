// The survey outbox's loop inside `smp serve`: every process looks at the outbox every
// SMP_OUTBOX_INTERVAL_SECONDS (the database decides which process sends which message), and
// only when SMTP_URL is set. Stopping waits for the look under way, so no message is cut off by
// a clean shutdown.
import type { Db } from '../../db/kysely.ts';
import type { Config } from '../config.ts';
import { smtpMailer, withoutAddresses, type Mailer } from './mailer.ts';
import { runOutbox } from './survey-outbox-service.ts';

export interface SurveyOutbox {
  stop(): Promise<void>;
}

/** The domain of an address such as `Study team <surveys@example.org>`. */
export function domainOf(from: string): string {
  return /@([^\s<>@]+?)>?$/.exec(from.trim())?.[1] ?? 'localhost';
}

/**
 * Start the loop, or return null when no mail server is configured (then nothing is sent, and
 * staff hand out the links from the Follow-ups page) or no contact key is set (said in the log).
 * `mailer` replaces the SMTP one (tests).
 */
export function startSurveyOutbox(
  db: Db,
  config: Pick<Config, 'smtpUrl' | 'smtpFrom' | 'outboxIntervalSeconds' | 'contactKey' | 'timeZone'>,
  options: { baseUrl: string; clock?: () => Date; mailer?: Mailer; log?: (line: string) => void },
): SurveyOutbox | null {
  if (options.mailer === undefined && (config.smtpUrl === undefined || config.smtpFrom === undefined)) return null;
  const log = options.log ?? ((line: string) => console.error(line));
  if (config.contactKey === undefined) {
    // No address can be opened: every message would fail. Said once, at start.
    log('survey outbox: SMTP_URL is set but SMP_CONTACT_KEY is not, so no address can be read and no invitation is sent; set the key and restart');
    return null;
  }
  const mailer = options.mailer ?? smtpMailer(config.smtpUrl!, config.smtpFrom!);
  const clock = options.clock ?? (() => new Date());
  const settings = {
    mailer,
    contactKey: config.contactKey,
    timeZone: config.timeZone,
    baseUrl: options.baseUrl,
    messageDomain: domainOf(config.smtpFrom ?? 'localhost'),
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const look = async () => {
    try {
      const result = await runOutbox(db, settings, clock);
      if (result.planned + result.sent + result.failed + result.cancelled > 0) {
        log(`survey outbox: planned ${result.planned}, sent ${result.sent}, failed ${result.failed}, cancelled ${result.cancelled}`);
      }
    } catch (error) {
      log(`survey outbox: ${withoutAddresses((error as Error).message)}`);
    }
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = look().finally(() => schedule(config.outboxIntervalSeconds * 1000));
    }, delayMs);
    timer.unref();
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      mailer.close();
    },
  };
}
