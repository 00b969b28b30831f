// Writes to participants' records, made in shared transactions when many arrive at once.
//
// Each write holds its participant's row lock, is checked against that participant as stored,
// and is recorded in the audit trail in the transaction that makes it, as on its own. What is
// shared is the rest of the cost of a transaction: its begin and commit (the commit waits for
// the write-ahead log to reach the disk), and one statement that locks and loads every
// participant of the batch. So the server keeps up with many writers at once.
//
// - Batches are of one study and at most one write per participant; a participant's later
//   writes wait for a later batch, in the order they came.
// - The batch locks with SKIP LOCKED: it never waits, so it cannot deadlock with another
//   transaction, and what it loads is current. A write whose participant another transaction
//   holds (or that does not exist) then runs on its own, waiting as a single write does.
// - A write refused by the rules (an AppError, thrown before it changes anything) fails alone.
//   A database error rolls the whole batch back; each of its writes then runs again on its own,
//   so one write's failure never costs another.
// - With nothing queued, a write runs at once on its own: batching adds no wait when the server
//   is quiet.
// - The audit rows of a transaction are appended at its end (audit-service.ts
//   withAuditAppendedLast): the study's chain head, which every writer of the study in every
//   process must lock, is then held for the last statement and the commit only, not while the
//   batch's writes are checked and made.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  lockAndLoadAvailableParticipants,
  lockAndLoadParticipant,
  type LoadedParticipant,
} from '../../db/repositories/participant-repository.ts';
import { isAppError } from '../errors.ts';
import { forgetAuditRowsAfter, heldAuditMark, withAuditAppendedLast } from './audit-service.ts';

/** A write to one participant: `run` checks it against the loaded participant and makes it. */
export interface ParticipantWrite<T> {
  studyCode: string;
  participantCode: string;
  /** Called with the participant locked and loaded, or undefined if it does not exist. */
  run(trx: Kysely<Database>, loaded: LoadedParticipant | undefined): Promise<T>;
}

interface Pending {
  write: ParticipantWrite<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Writes in one batch at most: bounds how long one transaction holds its locks. */
const MAX_BATCH = 32;
/** Transactions writing at once: below the connection pool's size, leaving room for reads. */
const MAX_RUNNING = 4;

class WriteQueue {
  private readonly waiting: Pending[] = [];
  private running = 0;

  constructor(private readonly db: Db) {}

  submit<T>(write: ParticipantWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ write: write as ParticipantWrite<unknown>, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < MAX_RUNNING && this.waiting.length > 0) {
      const batch = this.take();
      this.running += 1;
      void this.run(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  /** The oldest waiting write and the next ones of its study, one per participant, in order. */
  private take(): Pending[] {
    const study = this.waiting[0]!.write.studyCode;
    const taken: Pending[] = [];
    const participants = new Set<string>();
    for (let i = 0; i < this.waiting.length && taken.length < MAX_BATCH; ) {
      const pending = this.waiting[i]!;
      const { studyCode, participantCode } = pending.write;
      if (studyCode === study && !participants.has(participantCode)) {
        participants.add(participantCode);
        taken.push(pending);
        this.waiting.splice(i, 1);
      } else i += 1;
    }
    return taken;
  }

  private async run(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]!);
    type Outcome = { pending: Pending } & ({ value: unknown } | { error: unknown } | { alone: true });
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.transaction(async ({ kysely }) => withAuditAppendedLast(kysely, async () => {
        const study = batch[0]!.write.studyCode;
        const loaded = await lockAndLoadAvailableParticipants(kysely, study, batch.map((p) => p.write.participantCode));
        const done: Outcome[] = [];
        for (const pending of batch) {
          const participant = loaded.get(pending.write.participantCode);
          if (participant === undefined) {
            done.push({ pending, alone: true });
            continue;
          }
          const mark = heldAuditMark(kysely);
          try {
            done.push({ pending, value: await pending.write.run(kysely, participant) });
          } catch (error) {
            // The rules refused it before it changed anything; anything else is the database's.
            if (!isAppError(error)) throw error;
            forgetAuditRowsAfter(kysely, mark);
            done.push({ pending, error });
          }
        }
        return done;
      }));
    } catch {
      // Nothing of the batch was written: each write is made again on its own.
      await Promise.all(batch.map((pending) => this.runAlone(pending)));
      return;
    }
    const alone: Promise<void>[] = [];
    for (const outcome of outcomes) {
      if ('value' in outcome) outcome.pending.resolve(outcome.value);
      else if ('error' in outcome) outcome.pending.reject(outcome.error);
      else alone.push(this.runAlone(outcome.pending));
    }
    await Promise.all(alone);
  }

  /** One write in a transaction of its own, waiting for its participant's lock if need be. */
  private async runAlone(pending: Pending): Promise<void> {
    const { write } = pending;
    try {
      pending.resolve(
        await this.db.transaction(async ({ kysely }) =>
          withAuditAppendedLast(kysely, async () => write.run(kysely, await lockAndLoadParticipant(kysely, write.studyCode, write.participantCode))),
        ),
      );
    } catch (error) {
      pending.reject(error);
    }
  }
}

const queues = new WeakMap<Db, WriteQueue>();

/** Make a write to a participant, in a batch with others when many are waiting. */
export function writeToParticipant<T>(db: Db, write: ParticipantWrite<T>): Promise<T> {
  let queue = queues.get(db);
  if (queue === undefined) queues.set(db, (queue = new WriteQueue(db)));
  return queue.submit(write);
}
