// The web application's script. `npm install` builds it into dist/web/app.js (api/bin/build.js);
// `smp serve` passes this to the server (AppDeps.webScript): in a checkout whose web sources changed
// since, it builds the script again at start-up,
// so no request ever waits for a build and nobody is served old code.
import { fileURLToPath, pathToFileURL } from 'node:url';

// Loaded at run time, not bundled into the command: build.js finds the checkout from its own path.
const BUILD_SCRIPT = pathToFileURL(fileURLToPath(new URL('./bin/build.js', import.meta.url))).href;

let bundle: Promise<string> | undefined;

/** The script, built now if dist/ lacks it or it is stale; call at start-up. */
export function webBundle(): Promise<string> {
  if (bundle === undefined) {
    bundle = (import(BUILD_SCRIPT) as Promise<typeof import('./bin/build.js')>).then(({ buildWeb, freshWebBundle }) => freshWebBundle() ?? buildWeb());
    bundle.catch(() => {
      bundle = undefined;
    });
  }
  return bundle;
}
