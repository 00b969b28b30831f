// The de-identification scanner: what of a source study is found in files that a reviewer or a
// de-identified export hands out. One scanner for every such test, as strict as the strictest
// check it replaces: participant and practitioner codes as whole codes (also inside longer
// identifiers such as USUBJID), free text and pigment lots anywhere (as written and as JSON
// escapes them), and the source's dates that are not also a date of the de-identified study.
import type { FormatFile } from '../../api/formats/types.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { textOf } from '../unit/formats/helpers.ts';

/** Every date field of a participant, in a fixed order, null where a date is not set. */
export function participantDates(p: StudyBundle['participants'][number]): Array<string | null> {
  return [
    p.enrolledOn,
    p.withdrawnOn,
    ...p.sessions.map((s) => s.date),
    ...p.adverseEvents.flatMap((e) => [e.onsetDate, e.resolvedDate]),
    ...p.fadingAssessments.map((a) => a.date),
    ...p.surveys.map((s) => s.date),
  ];
}

/** Every date (YYYY-MM-DD) a bundle holds. */
export function datesOf(bundle: Pick<StudyBundle, 'participants'>): Set<string> {
  return new Set(bundle.participants.flatMap(participantDates).filter((date): date is string => date !== null));
}

export interface LeakScan {
  /** Everything found, as `FILE: participant P01`, `FILE: practitioner PR-A`, `FILE: text …` or `FILE: date 2020-01-31`. */
  found: string[];
  /** What was found of each kind, whichever file it was in. */
  participants: Set<string>;
  practitioners: Set<string>;
  texts: Set<string>;
  dates: Set<string>;
  /** How many of each kind the scan looked for: proof that it could have found something. */
  lookedFor: { participants: number; practitioners: number; texts: number; dates: number; total: number };
}

/**
 * What of `source` is found in `files`. A shifted date of one participant can fall on another's
 * original date: such a date says nothing about anyone, so only the source's dates that are not a
 * date of `deidentified` count. Without `deidentified`, dates are not scanned (for outputs whose
 * dates the caller checks participant by participant).
 */
export function leaks(files: readonly FormatFile[], source: StudyBundle, deidentified?: Pick<StudyBundle, 'participants'>): LeakScan {
  const participantCodes = new Set(source.participants.map((p) => p.code));
  const practitionerCodes = new Set(source.practitioners.map((p) => p.code));
  const texts = new Set<string>();
  for (const p of source.participants) {
    if (p.withdrawalReason !== null) texts.add(p.withdrawalReason);
    for (const e of p.adverseEvents) texts.add(e.term);
    for (const s of p.sessions) texts.add(s.pigmentLot);
  }
  // Each text as written and as JSON escapes it (searched for only where that differs).
  const textForms = [...texts].map((value) => [value, JSON.stringify(value).slice(1, -1)] as const);
  const shifted = deidentified ? datesOf(deidentified) : undefined;
  const forbiddenDates = new Set(shifted ? [...datesOf(source)].filter((date) => !shifted.has(date)) : []);
  const scan: LeakScan = {
    found: [],
    participants: new Set(),
    practitioners: new Set(),
    texts: new Set(),
    dates: new Set(),
    lookedFor: {
      participants: participantCodes.size,
      practitioners: practitionerCodes.size,
      texts: texts.size,
      dates: forbiddenDates.size,
      total: participantCodes.size + practitionerCodes.size + texts.size + forbiddenDates.size,
    },
  };
  for (const file of files) {
    const text = textOf(file);
    // Every run of code characters, and every part of it between separators, is a candidate code.
    for (const run of text.match(/[A-Za-z0-9._-]+/g) ?? []) {
      const parts = run.split(/([._-])/);
      for (let i = 0; i < parts.length; i += 2) {
        let candidate = '';
        for (let j = i; j < parts.length; j += 2) {
          candidate = j === i ? parts[j]! : `${candidate}${parts[j - 1]}${parts[j]}`;
          if (participantCodes.has(candidate)) {
            scan.participants.add(candidate);
            scan.found.push(`${file.name}: participant ${candidate}`);
          }
          if (practitionerCodes.has(candidate)) {
            scan.practitioners.add(candidate);
            scan.found.push(`${file.name}: practitioner ${candidate}`);
          }
        }
      }
    }
    for (const [value, escaped] of textForms) {
      if (text.includes(value) || (escaped !== value && text.includes(escaped))) {
        scan.texts.add(value);
        scan.found.push(`${file.name}: text ${value}`);
      }
    }
    for (const date of text.match(/\d{4}-\d{2}-\d{2}/g) ?? []) {
      if (forbiddenDates.has(date)) {
        scan.dates.add(date);
        scan.found.push(`${file.name}: date ${date}`);
      }
    }
  }
  return scan;
}
