/**
 * Whole rows of one table read in bulk (a ticket list, the supervision queue): the query is
 * built by drizzle, run (prepared where its texts are few), and each value decoded by its own
 * drizzle column in one flat pass. drizzle's generic result mapping walks a field path and checks
 * the entity kind of every value; on a 200-row list of tickets (59 columns) it was about a fifth of
 * the API's CPU for the request (README "Open tickets"; `npm run bench:ticket-rows` compares the two).
 */
import { getTableColumns, type Column, type InferSelectModel, type Table } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from './client';

/** A query's text and parameters, as drizzle's `.toSQL()` gives them. */
export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

export interface FullRows<T extends Table> {
  /**
   * The rows of `query`, which selects the table's whole rows (`db.select().from(table)`, the
   * columns in the table's order), decoded as drizzle would decode them. `prepare` keeps the
   * statement on each connection by its text (postgres.js), for queries whose texts are few.
   */
  read(db: Db, query: BuiltQuery, options?: { prepare?: boolean }): Promise<InferSelectModel<T>[]>;
}

export function fullRows<T extends Table>(table: T): FullRows<T> {
  const entries = Object.entries(getTableColumns(table)) as [string, Column][];
  const keys = entries.map(([key]) => key);
  const columns = entries.map(([, column]) => column);
  // one object literal per row, so every row has the same shape with its fields in-object: a row
  // built field by field (row[key] = …) cost three times as much to build and, later, to read.
  // Each value goes through its column's mapFromDriverValue only where the column defines one.
  const decodes = columns.map((column) => Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(column), 'mapFromDriverValue'));
  const fields = keys.map((key, i) => `${JSON.stringify(key)}: v[${i}] === null ? null : ${decodes[i] ? `c[${i}].mapFromDriverValue(v[${i}])` : `v[${i}]`}`);
  const decode = new Function('c', `return (v) => ({ ${fields.join(', ')} })`)(columns) as (values: unknown[]) => InferSelectModel<T>;
  return {
    async read(db, query, options = {}) {
      const client = (db as Db & { $client: postgres.Sql }).$client;
      const rows = await client.unsafe(query.sql, query.params as postgres.ParameterOrJSON<never>[], { prepare: options.prepare ?? false }).values();
      if (rows.columns.length !== columns.length) {
        throw new Error(`a whole row of this table has ${columns.length} columns; the query selected ${rows.columns.length}`);
      }
      return rows.map((values) => decode(values as unknown[]));
    },
  };
}
