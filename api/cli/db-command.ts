// `smp db migrate` and `smp db roles`: bring the schema up to date (as the owner role), and on a
// PostgreSQL server make the owner and runtime roles of the role split, or print their SQL.
import { sql } from 'kysely';
import { commandLine, parse, UsageError, withDb } from './cli-support.ts';
import { configFromEnv, dbOptions } from '../config.ts';
import { AppError } from '../errors.ts';

export async function runDbCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'migrate') return migrate(rest);
  if (sub === 'roles') return roles(rest);
  throw new UsageError(sub === undefined ? 'db needs a subcommand: migrate or roles' : `unknown db subcommand "${sub}" (known: migrate, roles)`);
}

async function migrate(args: string[]): Promise<void> {
  if (args.length > 0) throw new UsageError(`db migrate takes no arguments (got "${args[0]}")`);
  const config = configFromEnv();
  const [{ openDb }, { migrateToLatest }] = await Promise.all([import('../../db/kysely.ts'), import('../../db/migrate.ts')]);
  const db = await openDb({ ...dbOptions(config), lockHolder: { command: commandLine() } });
  try {
    const applied = await migrateToLatest(db.kysely);
    console.log(applied.length === 0 ? `the schema of ${db.driver} ${db.location} is up to date` : `applied ${applied.join(', ')} to ${db.driver} ${db.location}`);
  } finally {
    await db.close();
  }
}

async function roles(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    print: { type: 'boolean', default: false },
    owner: { type: 'string' },
    runtime: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`db roles takes no arguments (got "${positionals[0]}")`);
  const { DEFAULT_ROLES, ROLE_NAME, rolesScript } = await import('../services/database-roles.ts');
  const names = { owner: values.owner ?? DEFAULT_ROLES.owner, runtime: values.runtime ?? DEFAULT_ROLES.runtime };
  for (const [option, name] of Object.entries(names)) {
    if (!ROLE_NAME.test(name)) throw new UsageError(`--${option} must be a role name of lower-case letters, digits and underscores (got "${name}")`);
  }
  if (names.owner === names.runtime) throw new UsageError('--owner and --runtime must name two different roles');
  const config = configFromEnv();
  if (!config.databaseUrl) {
    throw new AppError(
      'validation',
      'roles apply to a PostgreSQL server (DATABASE_URL); the embedded database has no roles to split: it is one process\'s own files, protected by the file system',
    );
  }
  const { parseDatabaseUrl } = await import('../../db/postgres-url.ts');
  const script = rolesScript(names, parseDatabaseUrl(config.databaseUrl).database);
  if (values.print) {
    process.stdout.write(script);
    return;
  }
  await withDb(async (db) => {
    await sql.raw(script).execute(db.kysely);
    console.log(
      `made the roles on ${db.location}: ${names.owner} owns the schema (run \`smp db migrate\` as it), ` +
        `${names.runtime} reads and writes rows and may only append to the audit trail (run \`smp serve\` as it); ` +
        'give each a password with ALTER ROLE … PASSWORD, or let pg_hba.conf admit them',
    );
  });
}
