/** The baseline's one activity: one INSERT, idempotent on (ticket, seq) like the project's trail. */
import postgres from 'postgres';

let sql: postgres.Sql | undefined;

export function useDatabase(url: string): void {
  sql = postgres(url, { max: 10, onnotice: () => undefined });
}

export async function insertStep(row: { ticketId: string; seq: number; step: string; content: string }): Promise<void> {
  await sql!`insert into bench_bare_steps (ticket_id, seq, step, content) values (${row.ticketId}, ${row.seq}, ${row.step}, ${row.content})
             on conflict do nothing`;
}

export async function createBareTable(url: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin`create table if not exists bench_bare_steps (ticket_id text not null, seq int not null, step text not null, content text not null,
              at timestamptz not null default now(), primary key (ticket_id, seq))`;
  await admin.end();
}
