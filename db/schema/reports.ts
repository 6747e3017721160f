/**
 * Analytics storage: the daily rollups the overview and rankings read (maintained by triggers on
 * `tickets`, see db/rollups.ts) and the periodic reports (定期报告) the schedules store.
 */
import { pgTable, text, timestamp, integer, jsonb, date, boolean, primaryKey, index } from 'drizzle-orm/pg-core';

const count = (name: string) => integer(name).notNull().default(0);

/**
 * Tickets received per Shanghai day, counted once per dimension: 'all' (key ''), 'channel',
 * 'type', 'topic_major', 'topic', 'region', 'business_environment' ('true'/'false').
 * An unclassified ticket (no type, topic or region) counts under the key ''.
 */
export const ticketVolumeDaily = pgTable(
  'ticket_volume_daily',
  {
    day: date('day').notNull(),
    dimension: text('dimension').notNull(),
    key: text('key').notNull(),
    tickets: count('tickets'),
    answered: count('answered'),
    dispatched: count('dispatched'),
  },
  (t) => [primaryKey({ columns: [t.day, t.dimension, t.key] })],
);

/**
 * Dispatched tickets per Shanghai day they are due on, per primary unit, district and lane,
 * with the handling facts of db/kpi-definitions.ts. '' stands for a missing unit or district.
 */
export const ticketHandlingDaily = pgTable(
  'ticket_handling_daily',
  {
    day: date('day').notNull(),
    unitId: text('unit_id').notNull(),
    regionCode: text('region_code').notNull(),
    businessEnvironment: boolean('business_environment').notNull(),
    due: count('due'),
    completed: count('completed'),
    completedOnTime: count('completed_on_time'),
    signDue: count('sign_due'),
    signedOnTime: count('signed_on_time'),
    satisfied: count('satisfied'),
    basicallySatisfied: count('basically_satisfied'),
    dissatisfied: count('dissatisfied'),
    unreachable: count('unreachable'),
    callbacksDone: count('callbacks_done'),
    awaitingCallback: count('awaiting_callback'),
    rehandled: count('rehandled'),
  },
  (t) => [primaryKey({ columns: [t.day, t.unitId, t.regionCode, t.businessEnvironment] })],
);

/** Which definition the rollups were built with; a changed definition rebuilds them at start. */
export const rollupDefinitions = pgTable('rollup_definitions', {
  name: text('name').primaryKey(),
  definitionHash: text('definition_hash').notNull(),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
});

/** 定期报告: one per period kind and first day, regenerated in place (id = `${period}-${start}`). */
export const reports = pgTable(
  'reports',
  {
    id: text('id').primaryKey(),
    /** day | week | month | year */
    period: text('period', { enum: ['day', 'week', 'month', 'year'] }).notNull(),
    /** the period's first Shanghai day */
    start: date('start').notNull(),
    periodFrom: timestamp('period_from', { withTimezone: true }).notNull(),
    periodTo: timestamp('period_to', { withTimezone: true }).notNull(),
    policyVersion: integer('policy_version').notNull(),
    generatedAt: timestamp('generated_at', { withTimezone: true }).notNull(),
    content: jsonb('content').notNull(),
  },
  (t) => [index('reports_period_start_idx').on(t.period, t.start)],
);
