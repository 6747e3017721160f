/**
 * zod, extended with `.openapi()` before any schema is built (zod 4 gives each schema its
 * methods when it is created), so every schema in the project can appear in /openapi.json.
 * Import `z` from here, not from 'zod'.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
