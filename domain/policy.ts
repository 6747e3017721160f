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

/**
 * A time limit. Seconds, minutes and hours are elapsed time (7×24, holidays included);
 * working days follow the working-day calendar and end at the end of a day.
 */
export const durationSchema = z
  .object({
    amount: z.number().positive(),
    unit: z.enum(['seconds', 'minutes', 'hours', 'workingDays']),
  })
  .refine(
    ({ amount, unit }) =>
      unit === 'workingDays'
        ? workingDaysAmount.safeParse(amount).success
        : amount * SECONDS_PER_UNIT[unit] <= MAX_ELAPSED_SECONDS,
    { path: ['amount'], message: 'must be at most a year; working days must be a whole number' },
  );
export type Duration = z.infer<typeof durationSchema>;

/** A limit that can only be counted in working days, such as an extension request's. */
const workingDaysSchema = z.object({ amount: workingDaysAmount, unit: z.literal('workingDays') });

const categoryLimitsSchema = z.object({
  /** 签收时限 */
  signOff: durationSchema,
  /** 办理时限 */
  handling: durationSchema,
  /** 临期: how long before the handling deadline the ticket turns near-due (yellow card). */
  nearDue: durationSchema,
});

const share = z.number().min(0).max(1);
const count = z.number().int().positive();

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
  /** Tickets from these channels go out without an agent when the classifier is this confident. */
  autoDispatch: z.object({ channels: z.array(z.enum(CHANNELS)), minConfidence: share }),
  /** 反复多发: an earlier report within this window makes a new one a repeat. */
  repeatWindow: durationSchema,
  kpi: z.object({
    /** 基本满意 counts as this much of 满意 in the satisfaction rate. */
    basicallySatisfiedWeight: share,
    /** 综合排名 */
    ranking: z.object({
      /** returns and rehandles are subtracted as penalties */
      weights: z.object({
        signOff: z.number().nonnegative(),
        onTime: z.number().nonnegative(),
        satisfaction: z.number().nonnegative(),
        returns: z.number().nonnegative(),
        rehandles: z.number().nonnegative(),
      }),
      /** units with more tickets than this are ranked apart from the smaller ones */
      groupThreshold: z.number().int().nonnegative(),
      /** size of the red list (红榜) and black list (黑榜) */
      listSize: count,
      /** 约谈: a unit in the bottom `interviewBottom` for `interviewMonths` consecutive months */
      interviewBottom: count,
      interviewMonths: count,
    }),
    /** 热点预警: a topic's or place's volume against its own baseline of the last `baselineDays` days. */
    hotspots: z.object({ baselineDays: count, zThreshold: z.number().positive(), minCount: count }),
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
  autoDispatch: { channels: ['wechat', 'web', 'app', 'sms'], minConfidence: 0.6 },
  repeatWindow: { amount: 720, unit: 'hours' },
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
