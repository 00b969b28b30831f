// Shape of a participant's contact details as staff read and write them: an email address and,
// optionally, a phone number (stored only; nothing is sent to it). Zod only, so the web form uses it.
import { z } from 'zod';

export const ParticipantContact = z
  .strictObject({
    email: z
      .string({ error: 'must be an email address (a string)' })
      .trim()
      .max(254, { error: 'must be at most 254 characters' })
      .pipe(z.email({ error: 'must be an email address such as name@example.org' })),
    phone: z
      .string({ error: 'must be a phone number (a string)' })
      .trim()
      .regex(/^\+?[0-9][0-9 ().-]{4,30}$/, { error: 'must be a phone number of digits, spaces, ( ) . - and an optional leading +' })
      .optional()
      .describe('Stored only: no message is sent to it'),
  })
  .meta({ id: 'ParticipantContact' });
export type ParticipantContact = z.output<typeof ParticipantContact>;
