/** `work`, or `error` once `deadline` (epoch ms) has passed; a late outcome of `work` is dropped. */
export function beforeDeadline<R>(work: Promise<R>, deadline: number, error: Error): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error), Math.max(0, deadline - Date.now()));
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
