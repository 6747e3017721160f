/**
 * A ticket's whole life (create → sign → reply → callback) against a bare workflow taking the
 * same four updates (each one INSERT), on the same Temporal dev server in the same run.
 *
 *   npm run bench:lifecycle                 3 rounds × 40 s per side, 8 connections
 *   npm run bench:lifecycle -- --profile    the same, the API and worker under --cpu-prof: self time by package
 */
import { compare } from './platform/compare';

compare('lifecycle').then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
