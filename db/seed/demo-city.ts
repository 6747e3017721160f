/**
 * Demo data of a sample city, 新乡市 (Xinxiang, Henan, division code 4107): city departments,
 * its districts and counties, a few streets (街道) and the public utilities.
 */
import type { UnitLevel } from '../../domain/ticket';

export interface DemoUnit {
  id: string;
  name: string;
  level: UnitLevel;
  parentId?: string;
  regionCode: string;
}

const CITY = '410700';

export const DEMO_UNITS: DemoUnit[] = [
  { id: 'xx-gov', name: '新乡市人民政府', level: 'city', regionCode: CITY },
  // city departments (市直部门)
  { id: 'xx-housing', name: '市住房和城乡建设局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-urban', name: '市城市管理局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-ecology', name: '市生态环境局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-hrss', name: '市人力资源和社会保障局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-education', name: '市教育局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-market', name: '市市场监督管理局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-transport', name: '市交通运输局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-police', name: '市公安局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-resources', name: '市自然资源和规划局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-agriculture', name: '市农业农村局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-health', name: '市卫生健康委员会', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-medical-insurance', name: '市医疗保障局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-postal', name: '市邮政管理局', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-business', name: '市营商环境建设办公室', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  // public utilities (公用事业)
  { id: 'xx-water', name: '新乡市供水集团', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-power', name: '国网新乡供电公司', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-gas', name: '新乡市燃气公司', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  { id: 'xx-heating', name: '新乡市热力公司', level: 'city', parentId: 'xx-gov', regionCode: CITY },
  // districts and counties (区县)
  { id: 'hongqi', name: '红旗区人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410702' },
  { id: 'weibin', name: '卫滨区人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410703' },
  { id: 'fengquan', name: '凤泉区人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410704' },
  { id: 'muye', name: '牧野区人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410711' },
  { id: 'xinxiang-county', name: '新乡县人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410721' },
  { id: 'huojia', name: '获嘉县人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410724' },
  { id: 'yuanyang', name: '原阳县人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410725' },
  { id: 'yanjin', name: '延津县人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410726' },
  { id: 'fengqiu', name: '封丘县人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410727' },
  { id: 'weihui', name: '卫辉市人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410781' },
  { id: 'huixian', name: '辉县市人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410782' },
  { id: 'changyuan', name: '长垣市人民政府', level: 'county', parentId: 'xx-gov', regionCode: '410783' },
  // streets and townships (街道/乡镇)
  { id: 'hongqi-xijie', name: '红旗区西街街道办事处', level: 'township', parentId: 'hongqi', regionCode: '410702' },
  { id: 'hongqi-dongjie', name: '红旗区东街街道办事处', level: 'township', parentId: 'hongqi', regionCode: '410702' },
  { id: 'hongqi-qudong', name: '红旗区渠东街道办事处', level: 'township', parentId: 'hongqi', regionCode: '410702' },
  { id: 'muye-huayuan', name: '牧野区花园街道办事处', level: 'township', parentId: 'muye', regionCode: '410711' },
  { id: 'weibin-shengli', name: '卫滨区胜利路街道办事处', level: 'township', parentId: 'weibin', regionCode: '410703' },
  { id: 'huixian-baiquan', name: '辉县市百泉镇人民政府', level: 'township', parentId: 'huixian', regionCode: '410782' },
  { id: 'hongqi-xijie-xiangyang', name: '西街街道向阳社区居委会', level: 'village', parentId: 'hongqi-xijie', regionCode: '410702' },
];
