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

export function parseCorpus(jsonl: string): Array<LabelledTicket & { address?: string }> {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => labelledTicketSchema.parse(JSON.parse(line)));
}
