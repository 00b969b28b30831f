// The import boundaries of the layering rule (README, "Contributing"), checked by `npm run boundaries`
// with dependency-cruiser: the analysis stays pure, the browser gets only the shared schemas, the
// services and routes reach the database through its repositories, the HTTP layer knows only the
// access service, and no module imports itself round a cycle. Type-only imports count: a layer
// that names another's types depends on it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'analysis-is-pure',
      comment: 'analysis/ is data in, numbers out: it imports nothing from the database or the API.',
      severity: 'error',
      from: { path: '^analysis/' },
      to: { path: '^(db|api)/' },
    },
    {
      name: 'web-gets-only-schemas',
      comment: 'The browser may import the shared zod schemas of api/schemas/ and nothing else of api/.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^api/', pathNot: '^api/schemas/' },
    },
    {
      name: 'database-through-repositories',
      comment: 'Services and routes reach db/ only through db/repositories/ and db/kysely.ts.',
      severity: 'error',
      from: { path: '^api/(services|routes)/' },
      to: { path: '^db/', pathNot: '^db/(repositories/|kysely[.]ts$|migrate[.]ts$|migrations/)' },
    },
    {
      name: 'database-through-repositories-but-restore',
      comment:
        'The one exception to the rule above: restoring an archive builds the store to the migration ' +
        "the archive was made at, loads it, then migrates to the latest, so backup-service.ts drives the migrator.",
      severity: 'error',
      from: { path: '^api/(services|routes)/', pathNot: '^api/services/backup-service[.]ts$' },
      to: { path: '^db/(migrate[.]ts|migrations/)' },
    },
    {
      name: 'http-knows-only-access',
      comment:
        'api/http/ (authentication, permissions, the mounting of routes) imports of the services only access.ts; ' +
        'the look-ups behind a token, a cookie or a device are passed in by api/app.ts.',
      severity: 'error',
      from: { path: '^api/http/' },
      to: { path: '^api/services/', pathNot: '^api/services/access[.]ts$' },
    },
    {
      name: 'no-cycles',
      comment: 'A module must not import itself round a cycle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
