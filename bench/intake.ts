/**
 * Intake (POST /v1/tickets with a dispatch) against a bare workflow that does one INSERT, on the
 * same Temporal dev server in the same run: throughput, p50/p99, CPU per ticket by process, the
 * ratios and the targets (PASS/FAIL); the result also goes to bench/results/.
 *
 *   npm run bench:intake                    3 rounds × 20 s per side, 8 connections
 *   npm run bench:intake -- --rounds 5 --seconds 30 --connections 16
 *   npm run bench:intake -- --profile       the same, the API and worker under --cpu-prof: self time by package
 */
import { compare } from './platform/compare';

compare('intake').then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
