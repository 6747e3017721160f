/** The errors Postgres itself raised, found behind the wrappers (drizzle's) that carry them as a cause. */
import postgres from 'postgres';

type PostgresError = InstanceType<typeof postgres.PostgresError>;

/** The Postgres error behind `err`, if Postgres raised one. */
export function postgresErrorOf(err: unknown): PostgresError | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof postgres.PostgresError) return e;
  }
  return undefined;
}
