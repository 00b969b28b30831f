// Sealing of participants' contact details at rest: AES-256-GCM from node:crypto under the key of
// SMP_CONTACT_KEY. A sealed value is one version byte (1), a random 12-byte nonce, the 16-byte
// authentication tag and the ciphertext. The study, participant and field are bound in as
// associated data, so a sealed value copied onto another participant or field does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What a sealed value belongs to: it opens only there. */
export interface SealedPlace {
  studyId: number;
  participantNo: number;
  field: 'email' | 'phone';
}

const associatedData = (place: SealedPlace) => Buffer.from(`smp-contact:${place.studyId}:${place.participantNo}:${place.field}`, 'utf8');

export function seal(key: Buffer, place: SealedPlace, text: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData(place));
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), ciphertext]);
}

/** The text of a sealed value, or null when it does not open under `key` (another key, or altered). */
export function open(key: Buffer, place: SealedPlace, sealed: Uint8Array): string | null {
  const bytes = Buffer.from(sealed);
  if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES || bytes[0] !== VERSION) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(associatedData(place));
    decipher.setAuthTag(bytes.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
