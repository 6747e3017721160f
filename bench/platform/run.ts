/** A bench's entry point: runs `main`, exits 0 when it is done, prints the error and exits 1 when it fails (servers it started are stopped by their own `finally`). */
export function runBench(main: () => Promise<unknown>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
