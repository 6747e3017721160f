/** The labelled-ticket files (data/classifier/*.jsonl): one ticket a line, as a person classified it. */
import { z } from '../zod';
import { CATEGORIES, TICKET_TYPES, topicSchema } from '../ticket';
import type { LabelledTicket } from './model';

export const labelledTicketSchema = z.object({
  content: z.string().min(1),
  address: z.string().min(1).optional(),
  type: z.enum(TICKET_TYPES),
  topic: topicSchema,
  category: z.enum(CATEGORIES),
  scope: z.string().min(1),
});

/** A data file of one JSON object a line (blank lines skipped), each checked by the schema. */
export function parseJsonLines<T>(jsonl: string, schema: z.ZodType<T>): T[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => schema.parse(JSON.parse(line)));
}

export function parseCorpus(jsonl: string): Array<LabelledTicket & { address?: string }> {
  return parseJsonLines(jsonl, labelledTicketSchema);
}
