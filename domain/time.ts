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
