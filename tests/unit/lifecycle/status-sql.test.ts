/**
 * The SQL that names statuses is rendered from domain/lifecycle.ts's sets: the read model's
 * fragments, the partial index in the drizzle schema, and the index the migrations created —
 * so a set changed without a new migration fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { is } from 'drizzle-orm';
import { PgDialect, PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import * as schema from '../../../db/schema';
import { isCompleted, isDispatched, awaitingCallback } from '../../../db/kpi-definitions';
import { sqlList, sqlListText } from '../../../db/sql-list';
import { DISPATCHED_STATUSES, REPLIED_STATUSES } from '../../../domain/lifecycle';
import { importRowSchema } from '../../../domain/ticket-import';
import { STATUSES } from '../../../domain/ticket';

const dialect = new PgDialect();
const render = (fragment: Parameters<PgDialect['sqlToQuery']>[0]) => dialect.sqlToQuery(fragment);
const MIGRATIONS = path.resolve(import.meta.dirname, '../../../db/migrations');

/** The WHERE of each partial index as the migrations left it, in the journal's order. */
function migratedPartialIndexes(): Map<string, string> {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
  const indexes = new Map<string, string>();
  for (const { tag } of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
    const text = fs.readFileSync(path.join(MIGRATIONS, `${tag}.sql`), 'utf8');
    for (const statement of text.split('--> statement-breakpoint').map((s) => s.trim())) {
      const dropped = /^DROP INDEX (?:IF EXISTS )?"([^"]+)"/i.exec(statement);
      if (dropped) indexes.delete(dropped[1]!);
      const created = /^CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?"([^"]+)" ON [^;]*? WHERE (.*?);?$/is.exec(statement);
      if (created) indexes.set(created[1]!, created[2]!.trim());
    }
  }
  return indexes;
}

/** The WHERE of each partial index of the drizzle schema. */
function schemaPartialIndexes(): Map<string, string> {
  const indexes = new Map<string, string>();
  for (const table of Object.values(schema)) {
    if (!is(table, PgTable)) continue;
    for (const index of getTableConfig(table).indexes) {
      if (!index.config.where) continue;
      const { sql, params } = render(index.config.where);
      expect(params, index.config.name).toEqual([]);
      indexes.set(index.config.name!, sql);
    }
  }
  return indexes;
}

describe('an SQL list of values', () => {
  it('quotes each value, doubling its quotes', () => {
    expect(sqlListText(['replied', 'closed'])).toBe("('replied', 'closed')");
    expect(sqlListText(["it's"])).toBe("('it''s')");
    expect(render(sqlList(['a', "b'); drop table tickets; --"])).sql).toBe("('a', 'b''); drop table tickets; --')");
  });

  it('refuses an empty list and NUL', () => {
    expect(() => sqlListText([])).toThrow(/at least one value/);
    expect(() => sqlListText(['a\u0000'])).toThrow(/NUL/);
  });
});

describe('the read model names the lifecycle sets', () => {
  it("counts dispatched and completed tickets by the lifecycle's sets", () => {
    expect(render(isDispatched).sql).toBe(`(t.dispatched_at is not null and t.status in ${sqlListText(DISPATCHED_STATUSES)})`);
    expect(render(isCompleted).sql).toBe(`(t.status in ${sqlListText(REPLIED_STATUSES)})`);
    expect(render(awaitingCallback).sql).toContain(`t.status in ${sqlListText(REPLIED_STATUSES)}`);
  });

  it('builds the awaiting-callback partial index from the replied set', () => {
    expect(schemaPartialIndexes().get('tickets_awaiting_callback_idx')).toBe(`satisfaction is null and status in ${sqlListText(REPLIED_STATUSES)}`);
  });

  it('has in its migrations every partial index as the schema renders it (change a set, generate a migration)', () => {
    const migrated = migratedPartialIndexes();
    const declared = schemaPartialIndexes();
    expect(declared.size).toBeGreaterThanOrEqual(4);
    for (const [name, where] of declared) expect(migrated.get(name), name).toBe(where);
  });
});

describe("the historical import's rules follow the lifecycle's sets", () => {
  const row = (status: string) => ({ id: `imp-${status}`, channel: 'phone', receivedAt: '2024-03-01T02:00:00Z', status });
  const missing = (status: string) => {
    const r = importRowSchema.safeParse(row(status));
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.')).sort();
  };

  it('asks a unit and a dispatch time exactly of the dispatched statuses, a reply time of the replied ones', () => {
    for (const status of STATUSES) {
      const expected = [
        ...(DISPATCHED_STATUSES.includes(status) ? ['dispatchedAt', 'unitId'] : []),
        ...(REPLIED_STATUSES.includes(status) ? ['repliedAt'] : []),
      ].sort();
      expect(missing(status), status).toEqual(expected);
    }
  });
});
