/**
 * Open311 services are the minor topics (6 digits) of the topic taxonomy in force (the `topics`
 * table, which admins extend): service_code is the topic code, group its major topic, keywords
 * the classifier's cue words for it. A few topics ask extra questions (attributes); their
 * answers are added to the ticket's content, where agents and units read them.
 */
import type { Db } from '../../db/client';
import { topics } from '../../db/schema';
import { TOPICS, topicLineage } from '../../domain/classifier/taxonomy';
import { Open311Error } from './format';

export type Open311Service = {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
};

export type Open311Attribute = {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
};

/** A required question answered by picking one of `values` (key → the name shown). */
const singleChoice = (code: string, description: string, values: Record<string, string>): Open311Attribute => ({
  variable: true,
  code,
  datatype: 'singlevaluelist',
  required: true,
  datatype_description: null,
  order: 1,
  description,
  values: Object.entries(values).map(([key, name]) => ({ key, name })),
});

/** Outages: how far it reaches decides the urgency and who is sent (B category when many). */
const OUTAGE_SCOPE = singleChoice('scope', '影响范围', { household: '单户', building: '整栋楼', community: '整个小区或片区' });
const OUTAGE_SINCE: Open311Attribute = {
  variable: true,
  code: 'since',
  datatype: 'datetime',
  required: false,
  datatype_description: 'ISO 8601, e.g. 2026-12-02T08:00:00+08:00',
  order: 2,
  description: '开始时间',
};

/** The extra questions of a topic, by its code. */
const ATTRIBUTES: Record<string, Open311Attribute[]> = {
  '040101': [OUTAGE_SCOPE, OUTAGE_SINCE], // 停水
  '040201': [OUTAGE_SCOPE, OUTAGE_SINCE], // 停电
  '040301': [OUTAGE_SCOPE, OUTAGE_SINCE], // 停气
  '040401': [OUTAGE_SCOPE], // 暖气不热与停暖
  '030101': [singleChoice('blocks_traffic', '是否影响通行', { yes: '影响通行', no: '不影响通行' })], // 道路破损
  '030103': [singleChoice('missing_cover', '井盖缺失还是破损', { missing: '缺失', broken: '破损' })], // 井盖
};

export const attributesOf = (code: string): Open311Attribute[] => ATTRIBUTES[code] ?? [];

const KEYWORDS_PER_SERVICE = 8;

/** The names of a topic and of the middle and major topics above it: what a citizen would search for. */
function keywordsOf(code: string): string {
  const names = topicLineage(code).map((c) => TOPICS.find((t) => t.code === c)?.name);
  return [...new Set(names.filter((n): n is string => n !== undefined))].slice(0, KEYWORDS_PER_SERVICE).join(',');
}

export async function serviceList(db: Db): Promise<Open311Service[]> {
  const rows = await db.select().from(topics).orderBy(topics.code);
  const names = new Map(rows.map((r) => [r.code, r.name]));
  return rows
    .filter((r) => r.code.length === 6)
    .map((r) => {
      const middle = names.get(r.code.slice(0, 4)) ?? '';
      const major = names.get(r.code.slice(0, 2)) ?? '';
      return {
        service_code: r.code,
        service_name: r.name,
        description: [major, middle, r.name].filter(Boolean).join(' / '),
        metadata: attributesOf(r.code).length > 0,
        type: 'realtime' as const,
        keywords: keywordsOf(r.code),
        group: major,
      };
    });
}

export async function findService(db: Db, code: string): Promise<Open311Service> {
  const service = (await serviceList(db)).find((s) => s.service_code === code);
  if (!service) throw new Open311Error(404, `service_code ${code} was not found`);
  return service;
}

/**
 * Checks the answers (`attribute[code]=value`) against the service's questions and writes them as
 * lines for the ticket's content: "【影响范围】整栋楼".
 */
export function attributeLines(code: string, answers: Record<string, string>): string[] {
  const questions = attributesOf(code);
  const errors: Open311Error[] = [];
  for (const name of Object.keys(answers)) {
    if (!questions.some((q) => q.code === name)) errors.push(new Open311Error(400, `attribute[${name}]: service ${code} asks no such question`));
  }
  const lines: string[] = [];
  for (const q of questions) {
    const answer = answers[q.code]?.trim();
    if (!answer) {
      if (q.required) errors.push(new Open311Error(400, `attribute[${q.code}]: required (${q.description})`));
      continue;
    }
    if (q.values) {
      const value = q.values.find((v) => v.key === answer);
      if (!value) errors.push(new Open311Error(400, `attribute[${q.code}]: must be one of ${q.values.map((v) => v.key).join(', ')}`));
      else lines.push(`【${q.description}】${value.name}`);
    } else if (q.datatype === 'datetime' && Number.isNaN(Date.parse(answer))) {
      errors.push(new Open311Error(400, `attribute[${q.code}]: must be an ISO 8601 date-time`));
    } else if (q.datatype === 'number' && !Number.isFinite(Number(answer))) {
      errors.push(new Open311Error(400, `attribute[${q.code}]: must be a number`));
    } else {
      lines.push(`【${q.description}】${answer.slice(0, 500)}`);
    }
  }
  if (errors.length) throw new Open311Errors(errors);
  return lines;
}

/** Several errors at once, as the spec's error list allows. */
export class Open311Errors extends Error {
  constructor(readonly errors: Open311Error[]) {
    super(errors.map((e) => e.description).join('; '));
  }
}
