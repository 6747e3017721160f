/**
 * The hotline's policy: time limits, auto-dispatch and KPI settings. Every city sets its own,
 * so these are data an admin edits (/v1/admin/policy), not code; DEFAULT_POLICY holds the figures
 * of domain.md. A policy change applies to tickets dispatched after it.
 */
import { CATEGORIES, CHANNELS } from './ticket';
import { z } from './zod';

/** No limit is longer than a year; a larger figure is a typo (and would make a long day count). */
const MAX_WORKING_DAYS = 366;
const MAX_ELAPSED_SECONDS = 366 * 24 * 60 * 60;
export const SECONDS_PER_UNIT = { seconds: 1, minutes: 60, hours: 3600 } as const;

const workingDaysAmount = z.number().int().positive().max(MAX_WORKING_DAYS);

/** The units a time limit is counted in. */
export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'workingDays'] as const;

/** Whether a limit is at most a year, and a whole number when counted in working days. */
export const withinAYear = ({ amount, unit }: { amount: number; unit: (typeof DURATION_UNITS)[number] }): boolean =>
  unit === 'workingDays' ? workingDaysAmount.safeParse(amount).success : amount * SECONDS_PER_UNIT[unit] <= MAX_ELAPSED_SECONDS;
export const WITHIN_A_YEAR_MESSAGE = 'must be at most a year; working days must be a whole number';

/**
 * A time limit. Seconds, minutes and hours are elapsed time (7×24, holidays included);
 * working days follow the working-day calendar and end at the end of a day.
 */
export const durationSchema = z
  .object({
    amount: z.number().positive(),
    unit: z.enum(DURATION_UNITS),
  })
  .refine(withinAYear, { path: ['amount'], message: WITHIN_A_YEAR_MESSAGE });
export type Duration = z.infer<typeof durationSchema>;

/** A limit that can only be counted in working days, such as an extension request's. */
const workingDaysSchema = z.object({ amount: workingDaysAmount, unit: z.literal('workingDays') });

/**
 * A limit's length for comparing two limits of one category. Across elapsed time and working
 * days a working day counts as a calendar day: the calendar may stretch it over a weekend, but
 * never makes it shorter.
 */
const comparableSeconds = ({ amount, unit }: Duration): number => amount * (unit === 'workingDays' ? 86_400 : SECONDS_PER_UNIT[unit]);

const categoryLimitsSchema = z
  .object({
    /** 签收时限 */
    signOff: durationSchema,
    /** 办理时限 */
    handling: durationSchema,
    /** 临期: how long before the handling deadline the ticket turns near-due (yellow card). */
    nearDue: durationSchema,
  })
  .refine(
    ({ handling, nearDue }) =>
      handling.unit === nearDue.unit ? nearDue.amount <= handling.amount : comparableSeconds(nearDue) <= comparableSeconds(handling),
    { path: ['nearDue'], message: 'must not be longer than the handling limit (the yellow card comes before the due time)' },
  );

const share = z.number().min(0).max(1);
/** A count of units, months or tickets in the ranking and hot-spot settings; larger is a typo. */
const count = z.number().int().positive().max(10_000);
/** A ranking weight or penalty. */
const weight = z.number().nonnegative().max(100);

export const policySchema = z.object({
  categories: z.record(z.enum(CATEGORIES), categoryLimitsSchema),
  /** 回访: within this long after the unit's reply. */
  callback: durationSchema,
  /** 退单: a unit may ask to return a ticket within this long after dispatch. */
  returnWindow: durationSchema,
  /** 延期: the most a unit may ask for, once. */
  extensionMax: workingDaysSchema,
  /** How long a ticket may wait in triage for an agent. */
  triage: durationSchema,
  /**
   * Tickets from these channels go out without an agent when the classifier is sure enough:
   * `minPrecision` says how often each field must be right among the tickets let through (the
   * gate is read from the model's precision curves, domain/classifier/gate.ts); `minConfidence`
   * is the route's least confidence, and the only gate of versions stored before `minPrecision`.
   */
  autoDispatch: z.object({
    channels: z.array(z.enum(CHANNELS)).max(CHANNELS.length),
    minConfidence: share,
    /** `dispatch`: jointly right in unit and category (the joint gate); the others per field, as stored before it */
    minPrecision: z.object({ type: share.optional(), topic: share.optional(), category: share.optional(), dispatch: share.optional() }).optional(),
  }),
  /** 反复多发: an earlier report within this window makes a new one a repeat. */
  repeatWindow: durationSchema,
  /** 反复多发 by place: an open report of the same middle topic within this many metres (stored versions before it: 50). */
  repeatDistanceMeters: z.number().int().min(1).max(5000).default(50),
  kpi: z.object({
    /** 基本满意 counts as this much of 满意 in the satisfaction rate. */
    basicallySatisfiedWeight: share,
    /** 综合排名 */
    ranking: z.object({
      /** returns and rehandles are subtracted as penalties */
      weights: z.object({
        signOff: weight,
        onTime: weight,
        satisfaction: weight,
        returns: weight,
        rehandles: weight,
      }),
      /** units with more tickets than this are ranked apart from the smaller ones */
      groupThreshold: z.number().int().nonnegative().max(1_000_000),
      /** size of the red list (红榜) and black list (黑榜) */
      listSize: count,
      /** 约谈: a unit in the bottom `interviewBottom` for `interviewMonths` consecutive months */
      interviewBottom: count,
      interviewMonths: count,
    }),
    /** 热点预警: a topic's or place's volume against its own baseline of the last `baselineDays` days. */
    hotspots: z.object({ baselineDays: count.max(366), zThreshold: z.number().positive().max(1000), minCount: count }),
  }),
});
export type Policy = z.infer<typeof policySchema>;

const workingDays = (amount: number) => ({ amount, unit: 'workingDays' as const });

export const DEFAULT_POLICY: Policy = {
  categories: {
    // A and B run on the clock; near-due at 80% of the handling time.
    A: { signOff: { amount: 30, unit: 'minutes' }, handling: { amount: 2, unit: 'hours' }, nearDue: { amount: 24, unit: 'minutes' } },
    B: { signOff: { amount: 1, unit: 'hours' }, handling: { amount: 24, unit: 'hours' }, nearDue: { amount: 288, unit: 'minutes' } },
    C: { signOff: workingDays(1), handling: workingDays(5), nearDue: workingDays(1) },
    D: { signOff: workingDays(1), handling: workingDays(15), nearDue: workingDays(1) },
  },
  callback: workingDays(2),
  returnWindow: workingDays(2),
  extensionMax: workingDays(10),
  triage: { amount: 30, unit: 'minutes' },
  autoDispatch: { channels: ['wechat', 'web', 'app', 'sms'], minConfidence: 0.6, minPrecision: { dispatch: 0.97 } },
  repeatWindow: { amount: 720, unit: 'hours' },
  repeatDistanceMeters: 50,
  kpi: {
    basicallySatisfiedWeight: 1,
    ranking: {
      weights: { signOff: 0.1, onTime: 0.5, satisfaction: 0.4, returns: 0.05, rehandles: 0.05 },
      groupThreshold: 10,
      listSize: 5,
      interviewBottom: 3,
      interviewMonths: 3,
    },
    hotspots: { baselineDays: 28, zThreshold: 3, minCount: 5 },
  },
};
