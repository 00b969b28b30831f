// Shapes of sign-off: investigator e-signatures and participant locks, and study freezes. One
// definition each for the HTTP API, the `smp freeze` command, the web pages and the OpenAPI document.
import { z } from 'zod';
import { text } from './fields.ts';
import { StudyCodeParams } from './requests.ts';

/** What a signature means, from a fixed list (21 CFR 11.50(a)(3)): the code and the words shown. */
export const SIGNATURE_MEANINGS = {
  approve: 'I approve the data of this casebook as complete and correct',
  review: 'I have reviewed this casebook',
} as const;
export type SignatureMeaning = keyof typeof SIGNATURE_MEANINGS;
const MEANING_CODES = Object.keys(SIGNATURE_MEANINGS) as [SignatureMeaning, ...SignatureMeaning[]];

/** Text that must hold more than spaces. */
const filledText = (maxLength: number) =>
  text(maxLength, 0).check((ctx) => {
    if (ctx.value.trim() === '') ctx.issues.push({ code: 'custom', input: ctx.value, message: 'must not be empty' });
  });

export const FullName = filledText(200).describe("The user's full name, as their signatures show it (1 to 200 characters)");

export const SignatureCreate = z
  .strictObject({
    meaning: z
      .enum(MEANING_CODES, { error: (issue) => `${JSON.stringify(issue.input)} is not a meaning: use approve or review` })
      .describe(`approve: "${SIGNATURE_MEANINGS.approve}"; review: "${SIGNATURE_MEANINGS.review}"`),
    password: z.string().min(1, { error: 'is required: signing asks for your password again' }).max(1024).describe('Your password, asked again for every signature'),
  })
  .meta({ id: 'SignatureCreate' });
export type SignatureCreate = z.output<typeof SignatureCreate>;

export const SignatureRecord = z
  .object({
    id: z.int(),
    username: z.string(),
    fullName: z.string().describe("The signer's full name when they signed"),
    meaning: z.enum(MEANING_CODES),
    meaningText: z.string().describe('The meaning in words, as signed'),
    signedAt: z.string().describe('When, UTC'),
    dataSha256: z.string().describe("SHA-256 (hex) of the participant's signed data when signed: see GET …/signed-data"),
    valid: z.boolean().describe('false once a later change of the participant or their records invalidated it'),
    invalidatedAt: z.string().nullable(),
    invalidatedBy: z.string().nullable().describe('Who made the change that invalidated it'),
  })
  .meta({ id: 'Signature' });
export type SignatureRecord = z.output<typeof SignatureRecord>;

export const LockRecord = z
  .object({
    id: z.int(),
    lockedBy: z.string(),
    lockedAt: z.string(),
    unlockedBy: z.string().nullable(),
    unlockedAt: z.string().nullable(),
    unlockReason: z.string().nullable(),
  })
  .meta({ id: 'ParticipantLock' });
export type LockRecord = z.output<typeof LockRecord>;

export const SignOff = z
  .object({
    participant: z.string(),
    signatures: z.array(SignatureRecord).describe('Every signature, oldest first: none is ever deleted'),
    lock: LockRecord.nullable().describe('The current lock; null: not locked'),
    locks: z.array(LockRecord).describe('Every lock, oldest first, with its unlock'),
  })
  .meta({ id: 'SignOff' });
export type SignOff = z.output<typeof SignOff>;

export const UnlockBody = z
  .strictObject({ reason: filledText(2000).describe('Why the participant is unlocked (kept in the audit trail)') })
  .meta({ id: 'Unlock' });

export const FreezeCreate = z
  .strictObject({ label: filledText(200).describe('What the freeze is for, e.g. "database lock for the 12-month paper"') })
  .meta({ id: 'FreezeCreate' });
export type FreezeCreate = z.output<typeof FreezeCreate>;

export const FreezeRecord = z
  .object({
    id: z.int(),
    study: z.string(),
    label: z.string().nullable().describe('null for a reviewer: free text is not shown in the de-identified view'),
    createdBy: z.string().nullable().describe('null for a reviewer'),
    createdAt: z.string().describe('UTC'),
    sha256: z.string().describe("SHA-256 (hex) of the frozen bundle's canonical JSON, as GET …/freezes/{id}/bundle answers it"),
  })
  .meta({ id: 'Freeze' });
export type FreezeRecord = z.output<typeof FreezeRecord>;

export const FreezeList = z.object({ freezes: z.array(FreezeRecord).describe('Oldest first: none is ever deleted') }).meta({ id: 'FreezeList' });

export const FreezeParams = StudyCodeParams.extend({
  id: z.string().regex(/^[1-9]\d{0,8}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a freeze number` }).transform(Number),
});

