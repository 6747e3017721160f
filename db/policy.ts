/**
 * The policy in force and the working-day calendar, as Postgres holds them. Versions are kept:
 * a ticket records the version it was dispatched under and keeps it for its whole life.
 */
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from './client';
import { preparedOn } from './prepared';
import type { Tx } from './audit';
import { calendarOverrides, policies } from './schema';
import { WorkingDayCalendar, nextYearMissing, type CalendarOverride } from '../domain/calendar';
import { DEFAULT_POLICY, type Policy } from '../domain/policy';

export interface PolicyVersion {
  /** 0 is the built-in default, before any admin change */
  version: number;
  policy: Policy;
}

export async function currentPolicy(db: Tx): Promise<PolicyVersion> {
  const [row] = await db.select().from(policies).orderBy(desc(policies.version)).limit(1);
  return policyVersionOf(row);
}

/** The policy in force, by a query prepared once (db/prepared.ts): for reads outside a transaction, e.g. every intake's. */
export async function policyInForce(db: Db): Promise<PolicyVersion> {
  const [row] = await latestPolicy(db).execute();
  return policyVersionOf(row);
}

const latestPolicy = preparedOn((db) => db.select().from(policies).orderBy(desc(policies.version)).limit(1).prepare('policy_in_force'));

function policyVersionOf(row: typeof policies.$inferSelect | undefined): PolicyVersion {
  return row ? { version: row.version, policy: storedPolicy(row.policy) } : { version: 0, policy: DEFAULT_POLICY };
}

/** A given policy version, or the one in force when `version` is undefined. */
export async function policyAt(db: Db, version: number | undefined): Promise<PolicyVersion> {
  if (version === undefined) return currentPolicy(db);
  if (version === 0) return { version: 0, policy: DEFAULT_POLICY };
  const [row] = await db.select().from(policies).where(eq(policies.version, version));
  if (!row) throw new Error(`policy version ${version} does not exist`);
  return { version, policy: storedPolicy(row.policy) };
}

/**
 * A stored version as it was accepted when it was written (PUT validates it): rules tightened
 * since must not make a version unreadable, as tickets keep theirs for life.
 */
function storedPolicy(stored: unknown): Policy {
  return stored as Policy;
}

export async function savePolicy(db: Tx, policy: Policy, createdBy: string): Promise<PolicyVersion> {
  const [row] = await db.insert(policies).values({ policy, createdBy }).returning({ version: policies.version });
  return { version: row!.version, policy };
}

export async function calendarOverridesOf(db: Db): Promise<CalendarOverride[]> {
  const rows = await overrideRows(db).execute();
  return rows.map(overrideOf);
}

// read by every intake and deadline: prepared once (db/prepared.ts)
const overrideRows = preparedOn((db) => db.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date)).prepare('calendar_overrides'));

/** A stored override as the API shows it (no name when it has none). */
export function overrideOf(r: typeof calendarOverrides.$inferSelect): CalendarOverride {
  return { date: r.date, kind: r.kind, ...(r.name ? { name: r.name } : {}) };
}

/** An operator's warning, shown by /readyz and the supervision queue, that does not stop the service. */
export interface OperatorNotice {
  code: string;
  message: string;
}

/** The notice that next year's working-day calendar must be loaded, when it is due and missing. */
export async function nextYearCalendarNotice(db: Db, now: Date): Promise<OperatorNotice | undefined> {
  const year = nextYearMissing(now, await db.select({ date: calendarOverrides.date }).from(calendarOverrides));
  if (year === undefined) return undefined;
  return {
    code: 'calendar_next_year_missing',
    message: `the working-day calendar holds no data for ${year}: load the State Council's notice of ${year}'s holidays and make-up working days (POST /v1/admin/calendar), or deadlines in ${year} ignore its holidays`,
  };
}

export async function loadCalendar(db: Db): Promise<WorkingDayCalendar> {
  return new WorkingDayCalendar(await calendarOverridesOf(db));
}
