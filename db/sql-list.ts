/**
 * A list of text values as an SQL literal, `('a', 'b')`, for the status sets of
 * domain/lifecycle.ts in SQL that is rendered once (fragments of the read model's queries, the
 * rollups' triggers, a partial index) rather than bound as parameters. Each value is quoted
 * with its quotes doubled; an empty list or a value Postgres cannot hold (NUL) is refused, as
 * `in ()` is not SQL.
 */
import { sql, type SQL } from 'drizzle-orm';

/** The text of the literal: `('replied', 'closed')`. */
export function sqlListText(values: readonly string[]): string {
  if (values.length === 0) throw new Error('an SQL list needs at least one value');
  return `(${values
    .map((v) => {
      if (v.includes('\u0000')) throw new Error('an SQL list value must not contain NUL');
      return `'${v.replaceAll("'", "''")}'`;
    })
    .join(', ')})`;
}

/** The literal as a raw SQL fragment. */
export function sqlList(values: readonly string[]): SQL {
  return sql.raw(sqlListText(values));
}
