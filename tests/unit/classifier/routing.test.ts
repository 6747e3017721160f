import { describe, expect, it } from 'vitest';
import { DEMO_UNITS } from '../../../db/seed/demo-city';
import { regionLineage, route, type RoutingRule } from '../../../domain/classifier/route';
import { DEMO_ROUTING_RULES } from '../../../domain/classifier/routing-rules';
import { TOPICS } from '../../../domain/classifier/taxonomy';

const units = ['water', 'county', 'township', 'city', 'major', 'middle', 'minor', 'helper'].map((id) => ({ id }));
const rule = (topic: string, regionCode: string | null, unitId: string, coUnitIds: string[] = []): RoutingRule => ({
  topic,
  regionCode,
  unitId,
  coUnitIds,
});

describe('route', () => {
  it('uses the rule for exactly this topic and place with full confidence', () => {
    const rules = [rule('040101', '410702', 'minor'), rule('0401', '410702', 'middle')];
    expect(route('040101', '410702', rules, units)).toEqual({
      unitId: 'minor',
      coUnitIds: [],
      confidence: 1,
      matched: { topic: '040101', regionCode: '410702' },
    });
  });

  it('falls back from the minor topic to the middle and then the major topic', () => {
    const rules = [rule('04', null, 'major'), rule('0401', null, 'middle')];
    expect(route('040101', null, rules, units)?.matched).toEqual({ topic: '0401', regionCode: null });
    expect(route('040201', null, rules, units)?.matched).toEqual({ topic: '04', regionCode: null });
    expect(route('050101', null, rules, units)).toBeNull();
  });

  it('falls back from the township to the county, the city and anywhere', () => {
    const everywhere = [
      rule('03', '410702001', 'township'),
      rule('03', '410702', 'county'),
      rule('03', '410700', 'city'),
      rule('03', null, 'major'),
    ];
    expect(route('030101', '410702001', everywhere, units)?.unitId).toBe('township');
    expect(route('030101', '410702002', everywhere, units)?.unitId).toBe('county');
    expect(route('030101', '410703', everywhere, units)?.unitId).toBe('city');
    expect(route('030101', '420100', everywhere, units)?.unitId).toBe('major');
  });

  it('prefers a more specific topic over a more specific place', () => {
    const rules = [rule('04', '410702', 'county'), rule('0401', null, 'water')];
    expect(route('040101', '410702', rules, units)?.unitId).toBe('water');
  });

  it('loses confidence with every step of fall-back', () => {
    const rules = [rule('03', null, 'major')];
    const exact = route('03', null, rules, units);
    const fallen = route('030101', '410702001', rules, units);
    expect(exact?.confidence).toBe(1);
    expect(fallen?.confidence).toBeLessThan(0.6);
    expect(fallen?.confidence).toBeGreaterThan(0);
  });

  it('skips rules whose unit no longer exists and drops unknown or duplicate co-units', () => {
    const rules = [rule('0401', null, 'retired'), rule('04', null, 'major', ['helper', 'gone', 'major'])];
    expect(route('040101', null, rules, units)).toMatchObject({ unitId: 'major', coUnitIds: ['helper'] });
  });

  it('lists a division code and the areas that contain it', () => {
    expect(regionLineage('410702001001')).toEqual(['410702001001', '410702001', '410702', '410700', null]);
    expect(regionLineage('410700')).toEqual(['410700', null]);
    expect(regionLineage(null)).toEqual([null]);
  });
});

describe('demo routing rules', () => {
  it('name only units and topics that exist', () => {
    const unitIds = new Set(DEMO_UNITS.map((unit) => unit.id));
    const topicCodes = new Set(TOPICS.map((topic) => topic.code));
    for (const entry of DEMO_ROUTING_RULES) {
      expect(unitIds.has(entry.unitId), entry.unitId).toBe(true);
      for (const id of entry.coUnitIds) expect(unitIds.has(id), id).toBe(true);
      expect(topicCodes.has(entry.topic), entry.topic).toBe(true);
    }
  });

  it('route every topic of the taxonomy somewhere', () => {
    for (const topic of TOPICS) expect(route(topic.code, '410782', DEMO_ROUTING_RULES, DEMO_UNITS), topic.code).not.toBeNull();
  });

  it('send utilities to their companies, local matters to the district and wages to human resources', () => {
    expect(route('040101', '410702', DEMO_ROUTING_RULES, DEMO_UNITS)?.unitId).toBe('xx-water');
    expect(route('040401', null, DEMO_ROUTING_RULES, DEMO_UNITS)?.unitId).toBe('xx-heating');
    expect(route('050202', '410702', DEMO_ROUTING_RULES, DEMO_UNITS)).toMatchObject({ unitId: 'hongqi', coUnitIds: ['xx-ecology'] });
    expect(route('050202', null, DEMO_ROUTING_RULES, DEMO_UNITS)?.unitId).toBe('xx-ecology');
    expect(route('010101', '410783', DEMO_ROUTING_RULES, DEMO_UNITS)?.unitId).toBe('xx-hrss');
    expect(route('070201', '410721', DEMO_ROUTING_RULES, DEMO_UNITS)?.unitId).toBe('xinxiang-county');
  });
});
