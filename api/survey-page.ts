// The participant's survey page at /s: a small page and script of its own (web/survey/), apart
// from the staff application, so a participant's phone loads nothing of it. Its script is built
// with the web application's (dist/web/survey.js) and kept in memory once read.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type express from 'express';

const SURVEY_DIR = fileURLToPath(new URL('../web/survey/', import.meta.url));

/** dist/web/survey.js, which `npm install` builds with the web application (api/bin/build.js). */
const BUILT_SURVEY_SCRIPT = fileURLToPath(new URL('../dist/web/survey.js', import.meta.url));

/**
 * The page's script, read once, after `ready` (the web application's script: once it is there,
 * built at install time or again by `smp serve` in a changed checkout, so is this one).
 */
export function surveyScript(ready: () => Promise<unknown>): () => Promise<string> {
  let script: Promise<string> | undefined;
  return () => {
    if (script === undefined) {
      script = ready().then(() => fs.promises.readFile(BUILT_SURVEY_SCRIPT, 'utf8'));
      script.catch(() => {
        script = undefined;
      });
    }
    return script;
  };
}

/** Serve the page, its script and its style sheet. */
export function mountSurveyPage(app: express.Express, script: () => Promise<string>): void {
  script().catch(() => {}); // a failed read is answered per request
  app.get('/s', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(path.join(SURVEY_DIR, 'index.html'));
  });
  app.get('/s/survey.js', async (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'no-cache').send(await script());
  });
  app.get('/s/survey.css', (_req, res) => res.sendFile(path.join(SURVEY_DIR, 'survey.css')));
}
