import { connectDatabase } from './db/client';
import { ticketRows } from './db/tickets';
import { tickets } from './db/schema';
import { desc, eq, getTableColumns } from 'drizzle-orm';
async function main() {
const { db, sql, close } = connectDatabase('postgres://postgres@127.0.0.1:5432/listbench');
const N = 300; const t = () => performance.now();
async function time(name: string, f: () => Promise<unknown> | unknown) { for (let i = 0; i < 30; i++) await f(); const a = t(); for (let i = 0; i < N; i++) await f(); console.log(name, ((t() - a) / N).toFixed(3)); }
const built = db.select().from(tickets).where(eq(tickets.category, 'C')).orderBy(desc(tickets.receivedAt), desc(tickets.id)).limit(201).toSQL();
const rows = await sql.unsafe(built.sql, built.params as any[], { prepare: true }).values();
const cols = Object.entries(getTableColumns(tickets));
const keys = cols.map(([k]) => k); const cs = cols.map(([, c]) => c);
const mapRow = (v: unknown[]) => { const r: Record<string, unknown> = {}; for (let i = 0; i < cs.length; i++) { const x = v[i]; r[keys[i]!] = x === null ? null : cs[i]!.mapFromDriverValue(x); } return r; };
await time('scratch mapRow', () => rows.map((v) => mapRow(v as any)));
const names = cs.map((c) => c.constructor.name); console.log([...new Set(names)].join(','));
const decodeNeeded = cs.map((c) => Object.getPrototypeOf(c).hasOwnProperty('mapFromDriverValue') || Object.getPrototypeOf(Object.getPrototypeOf(c)).constructor.name);
console.log(cs.map((c) => c.constructor.name + ':' + (Object.getPrototypeOf(c).hasOwnProperty('mapFromDriverValue'))).filter(s=>s.endsWith('true')).join(' '));
const ident = cs.map((c) => !Object.getPrototypeOf(c).hasOwnProperty('mapFromDriverValue'));
const mapRow2 = (v: unknown[]) => { const r: Record<string, unknown> = {}; for (let i = 0; i < cs.length; i++) { const x = v[i]; r[keys[i]!] = x === null || ident[i] ? x : cs[i]!.mapFromDriverValue(x); } return r; };
await time('skip identity', () => rows.map((v) => mapRow2(v as any)));
const fn = new Function('cs', 'return (v) => ({' + keys.map((k, i) => `${JSON.stringify(k)}: v[${i}] === null ? null : ${ident[i] ? `v[${i}]` : `cs[${i}].mapFromDriverValue(v[${i}])`}`).join(',') + '})')(cs);
await time('literal', () => rows.map((v) => fn(v)));
await close();
}
main();
