// The participant's survey page at /s: a small page and script of its own (web/survey/), apart
// from the staff application, so a participant's phone loads nothing of it. The script is
// bundled with esbuild once, at the first request or at start-up, and kept in memory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type express from 'express';

const SURVEY_DIR = fileURLToPath(new URL('../web/survey/', import.meta.url));

let script: Promise<string> | undefined;

/** The page's script, bundled and minified for browsers. */
export function surveyScript(): Promise<string> {
  if (script === undefined) {
    script = import('esbuild').then(async (esbuild) => {
      const result = await esbuild.build({
        entryPoints: [path.join(SURVEY_DIR, 'main.ts')],
        bundle: true,
        format: 'esm',
        target: 'es2022',
        platform: 'browser',
        minify: true,
        legalComments: 'none',
        write: false,
        logLevel: 'silent',
      });
      return result.outputFiles[0]!.text;
    });
    script.catch(() => {
      script = undefined;
    });
  }
  return script;
}

/** Serve the page, its script and its style sheet. */
export function mountSurveyPage(app: express.Express): void {
  surveyScript().catch(() => {}); // a failed build is answered per request
  app.get('/s', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(path.join(SURVEY_DIR, 'index.html'));
  });
  app.get('/s/survey.js', async (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'no-cache').send(await surveyScript());
  });
  app.get('/s/survey.css', (_req, res) => res.sendFile(path.join(SURVEY_DIR, 'survey.css')));
}
