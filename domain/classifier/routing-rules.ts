/**
 * Demo routing table (派单规则) of the sample city: topic × place → responsible unit (主办) and
 * co-handling units (协办), with the unit ids of db/seed/demo-city.ts. City departments take
 * their areas anywhere; the districts and counties take the local matters of their own area.
 */
import type { RoutingRule } from './route';

const anywhere = (topic: string, unitId: string, coUnitIds: string[] = []): RoutingRule => ({
  topic,
  regionCode: null,
  unitId,
  coUnitIds,
});

/** District and county governments (区县人民政府) by division code. */
const LOCAL_GOVERNMENTS: Readonly<Record<string, string>> = {
  '410702': 'hongqi',
  '410703': 'weibin',
  '410704': 'fengquan',
  '410711': 'muye',
  '410721': 'xinxiang-county',
  '410724': 'huojia',
  '410725': 'yuanyang',
  '410726': 'yanjin',
  '410727': 'fengqiu',
  '410781': 'weihui',
  '410782': 'huixian',
  '410783': 'changyuan',
};

/** Local matters: the district or county handles them, the city department co-handles. */
const LOCAL_TOPICS: readonly { topic: string; coUnitIds: string[] }[] = [
  { topic: '03', coUnitIds: ['xx-urban'] }, // city management: roads, lights, sanitation, stalls
  { topic: '0202', coUnitIds: ['xx-housing'] }, // property management
  { topic: '0502', coUnitIds: ['xx-ecology'] }, // noise
  { topic: '0701', coUnitIds: ['xx-agriculture', 'xx-resources'] }, // rural construction
  { topic: '0702', coUnitIds: ['xx-resources'] }, // farmland protection
];

export const DEMO_ROUTING_RULES: readonly RoutingRule[] = [
  // each area's city department, anywhere
  anywhere('01', 'xx-hrss'),
  anywhere('02', 'xx-housing'),
  anywhere('03', 'xx-urban'),
  anywhere('04', 'xx-urban'),
  anywhere('05', 'xx-ecology'),
  anywhere('06', 'xx-education'),
  anywhere('07', 'xx-agriculture'),
  anywhere('08', 'xx-police'),
  anywhere('09', 'xx-transport'),
  anywhere('10', 'xx-market'),
  anywhere('11', 'xx-health'),
  anywhere('12', 'xx-medical-insurance'),
  anywhere('13', 'xx-gov'),
  anywhere('14', 'xx-business'),
  anywhere('15', 'xx-postal'),
  anywhere('16', 'xx-gov'),
  anywhere('99', 'xx-gov'),
  // public utilities take their outages and services anywhere
  anywhere('0401', 'xx-water'),
  anywhere('0402', 'xx-power'),
  anywhere('0403', 'xx-gas'),
  anywhere('040302', 'xx-gas', ['xx-urban']), // a gas leak: the urban authority supervises the company
  anywhere('0404', 'xx-heating'),
  // where the natural unit differs from the area's department
  anywhere('010101', 'xx-hrss', ['xx-housing']), // wages on building sites: housing co-handles
  anywhere('0702', 'xx-resources'),
  anywhere('0803', 'xx-police'),
  anywhere('090301', 'xx-police'), // traffic lights are the traffic police's
  anywhere('0602', 'xx-education', ['xx-market']),
  ...Object.entries(LOCAL_GOVERNMENTS).flatMap(([regionCode, unitId]) =>
    LOCAL_TOPICS.map(({ topic, coUnitIds }) => ({ topic, regionCode, unitId, coUnitIds })),
  ),
];
