import { connectDatabase } from './db/client';
import { listTickets, ticketRows } from './db/tickets';
import { tickets } from './db/schema';
import { desc, eq } from 'drizzle-orm';
async function main() {
const { db, sql, close } = connectDatabase('postgres://postgres@127.0.0.1:5432/listbench');
const N = 300; const t = () => performance.now();
async function time(name: string, f: () => Promise<unknown> | unknown) { for (let i = 0; i < 30; i++) await f(); const a = t(); for (let i = 0; i < N; i++) await f(); console.log(name, ((t() - a) / N).toFixed(3)); }
const q = () => db.select().from(tickets).where(eq(tickets.category, 'C')).orderBy(desc(tickets.receivedAt), desc(tickets.id)).limit(201);
const built = q().toSQL();
await time('listTickets', () => listTickets(db, { category: 'C' }, 201));
await time('toSQL simple', () => q().toSQL());
await time('read prebuilt', () => ticketRows.read(db, built));
await time('values prebuilt', () => sql.unsafe(built.sql, built.params as any[], { prepare: true }).values());
await time('listTickets', () => listTickets(db, { category: 'C' }, 201));
await close();
}
main();
