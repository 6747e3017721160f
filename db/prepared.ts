/**
 * Hot queries built once per database handle and prepared once per connection: drizzle's
 * `.prepare()` builds the SQL a single time (its query building was a large share of the API's
 * and the worker's CPU, profiled in README "Platform benchmarks"), and postgres.js keeps the
 * statement on each connection by its text, so Postgres parses and plans it once. Only for reads
 * and writes made on the handle itself, never inside a transaction (a prepared query runs on the
 * handle it was built on).
 */
import type { Db } from './client';

export function preparedOn<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}
