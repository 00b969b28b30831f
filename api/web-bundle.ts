// The web pages' scripts, bundled from web/<page>.ts with esbuild on first request and kept in
// memory, so the TypeScript sources are the only copy and there is no build step to forget.
import { fileURLToPath } from 'node:url';

export type WebEntry = 'main' | 'sign-in';

const bundles = new Map<WebEntry, Promise<string>>();

export function webBundle(entry: WebEntry = 'main'): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = import('esbuild')
      .then((esbuild) =>
        esbuild.build({
          entryPoints: [fileURLToPath(new URL(`../web/${entry}.ts`, import.meta.url))],
          bundle: true,
          format: 'esm',
          target: 'es2022',
          platform: 'browser',
          write: false,
          legalComments: 'none',
          logLevel: 'silent',
        }),
      )
      .then((result) => result.outputFiles[0]!.text)
      .catch((error: unknown) => {
        bundles.delete(entry);
        throw error;
      });
    bundles.set(entry, bundle);
  }
  return bundle;
}
