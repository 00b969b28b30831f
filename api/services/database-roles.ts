// The split of PostgreSQL roles for a deployment: an owner role that owns the schema and runs the
// migrations, and a runtime role for `smp serve` that may only read and write rows, and of the
// audit trail only read and append. The runtime role owns nothing, so it cannot disable the
// trail's triggers, alter a table, or update, delete or truncate audit entries.

/** A role name the script uses unquoted: lower-case letters, digits and underscores. */
export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface RoleNames {
  owner: string;
  runtime: string;
}

export const DEFAULT_ROLES: RoleNames = { owner: 'smp_owner', runtime: 'smp_app' };

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The SQL that makes the two roles (if missing, without passwords: set them apart), hands the
 * schema and everything in it to the owner, and grants the runtime role what the server needs.
 * Run by a superuser (or a role with CREATEROLE that owns the database) on the tracker's database.
 */
export function rolesScript(roles: RoleNames, database: string, schema = 'public'): string {
  for (const [option, name] of Object.entries(roles)) {
    if (!ROLE_NAME.test(name)) throw new Error(`the ${option} role name must be lower-case letters, digits and underscores (got "${name}")`);
  }
  if (roles.owner === roles.runtime) throw new Error('the owner and runtime roles must be two different roles');
  const { owner, runtime } = roles;
  const db = quoteIdentifier(database);
  const s = quoteIdentifier(schema);
  const schemaLiteral = `'${schema.replace(/'/g, "''")}'`;
  return `-- The owner role owns the schema and runs migrations; the runtime role (smp serve) reads and
-- writes rows only, and of the audit trail may only read and append (INSERT, SELECT).
do $roles$
begin
  if not exists (select from pg_roles where rolname = '${owner}') then create role ${owner} login; end if;
  if not exists (select from pg_roles where rolname = '${runtime}') then create role ${runtime} login; end if;
end
$roles$;
grant connect on database ${db} to ${owner}, ${runtime};

-- The schema and every table, sequence and function in it pass to the owner.
alter schema ${s} owner to ${owner};
revoke create on schema ${s} from public;
do $owner$
declare item record;
begin
  for item in
    select c.oid::regclass::text as name, c.relkind::text as kind
    from pg_class c
    where c.relnamespace = ${schemaLiteral}::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S')
      -- identity and serial sequences follow their table
      and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
  loop
    execute format('alter %s %s owner to ${owner}', case item.kind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end, item.name);
  end loop;
  for item in select p.oid::regprocedure::text as name from pg_proc p where p.pronamespace = ${schemaLiteral}::regnamespace loop
    execute format('alter function %s owner to ${owner}', item.name);
  end loop;
end
$owner$;

-- The runtime role: rows of every table, the sequences, and nothing it could use to change the schema.
grant usage on schema ${s} to ${runtime};
grant select, insert, update, delete on all tables in schema ${s} to ${runtime};
grant usage, select on all sequences in schema ${s} to ${runtime};
-- The audit trail: read and append only; its chains' heads are moved on, never removed.
revoke all on audit_event from ${runtime};
grant select, insert on audit_event to ${runtime};
revoke delete, truncate on audit_chain from ${runtime};
-- Tables and sequences that later migrations make (run as the owner) get the same grants.
alter default privileges for role ${owner} in schema ${s} grant select, insert, update, delete on tables to ${runtime};
alter default privileges for role ${owner} in schema ${s} grant usage, select on sequences to ${runtime};
`;
}
