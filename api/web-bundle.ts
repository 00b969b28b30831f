// The dashboard's script, bundled from web/main.ts with esbuild on first request and kept in
// memory, so the TypeScript sources are the only copy and there is no build step to forget.
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../web/main.ts', import.meta.url));
let bundle: Promise<string> | undefined;

export function webBundle(): Promise<string> {
  bundle ??= import('esbuild')
    .then((esbuild) =>
      esbuild.build({
        entryPoints: [ENTRY],
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
      bundle = undefined;
      throw error;
    });
  return bundle;
}
