// Types of build.js (plain JavaScript, so that `npm install` can run it before anything is built).
export declare const ROOT: string;
export declare const DIST: string;
export declare const MANIFEST: string;
/** A source's size and time stamp as the manifest records them. */
export declare function stamp(file: string): string;
/** The built entry file, or null when dist/ is missing or a source changed since the build. */
export declare function freshEntry(): string | null;
/** Bundle api/cli/cli.ts into dist/; returns the entry file. */
export declare function build(options?: { clean?: boolean }): Promise<string>;
/** The built web application's script, or null when it is missing or a source changed since. */
export declare function freshWebBundle(): string | null;
/** Bundle the web application into dist/web/app.js and the survey page into dist/web/survey.js; returns the application's script. */
export declare function buildWeb(): Promise<string>;
