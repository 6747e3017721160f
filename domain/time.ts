/** Civil time in the hotline's zone. Instants are stored in UTC; days are Asia/Shanghai days. */
export const HOTLINE_TIME_ZONE = 'Asia/Shanghai';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: HOTLINE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Asia/Shanghai calendar day of an instant, as YYYY-MM-DD. */
export function shanghaiDay(instant: Date): string {
  return dayFormat.format(instant);
}

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Midnight Asia/Shanghai at the start of a day 'YYYY-MM-DD'; a RangeError for what is not a calendar day. */
export function startOfShanghaiDay(day: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || addCalendarDays(day, 0) !== day) throw new RangeError(`not a day 'YYYY-MM-DD': ${day}`);
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date) - SHANGHAI_OFFSET_MS);
}

/** The last millisecond of an Asia/Shanghai day (23:59:59.999), where "N working days" ends. */
export function endOfShanghaiDay(day: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + 1) - SHANGHAI_OFFSET_MS - 1);
}

/** The civil day `days` after (or, if negative, before) a YYYY-MM-DD day. */
export function addCalendarDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/**
 * An instant as people in the hotline read it: Asia/Shanghai civil time to the minute, with the
 * offset, e.g. `2026-12-02 03:50 +08:00` (never UTC cut to minutes, which reads as the day before).
 */
export function shanghaiTime(instant: Date | string): string {
  const ms = (typeof instant === 'string' ? Date.parse(instant) : instant.getTime()) + SHANGHAI_OFFSET_MS;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} +08:00`;
}
