// Sites gain their country: an ISO 3166-1 alpha-3 code, or null where it was not recorded (every
// site stored before this migration). SDTM's DM.COUNTRY and the other exports read it. Which
// codes exist is checked by the application (api/schemas/countries.ts); the column holds three
// capital letters or nothing.
// Frozen: change the schema with a new migration, never by editing this one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table site add column country text check (country ~ '^[A-Z]{3}$')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table site drop column country`.execute(db);
}
