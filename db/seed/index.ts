/**
 * Reference and demo data. Idempotent: rows that exist are left as an admin may have changed them.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { knowledgeBase, routingRules, topics, units } from '../schema';
import { DEMO_KNOWLEDGE_BASE, DEMO_ROUTING_RULES, TOPICS } from '../../domain/classifier';
import { DEMO_UNITS } from './demo-city';

/** The topic taxonomy (GB/T 39666-2020 style) ships with the code; admins may add to it. */
export async function seedTaxonomy(db: Db): Promise<void> {
  await db
    .insert(topics)
    .values(TOPICS.map((t) => ({ code: t.code, name: t.name, parentCode: t.parent ?? null })))
    .onConflictDoNothing();
}

/** The sample city 新乡市: units, routing rules and knowledge-base entries (rules only into an empty table). */
export async function loadDemoData(db: Db): Promise<void> {
  await seedTaxonomy(db);
  await db.insert(units).values(DEMO_UNITS).onConflictDoNothing();
  await db.insert(knowledgeBase).values(DEMO_KNOWLEDGE_BASE.map((e) => ({ ...e, patterns: [...e.patterns] }))).onConflictDoNothing();
  const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(routingRules)) as [{ n: number }];
  if (n === 0) await db.insert(routingRules).values(DEMO_ROUTING_RULES.map((r) => ({ ...r, coUnitIds: [...r.coUnitIds] })));
}
