/**
 * Topic taxonomy (诉求分类) in the style of GB/T 39666-2020: three levels of two digits each —
 * major "04", middle "0401", minor "040101". The codes are this city's own, not the standard's
 * table; a city loads its own list as data. "99" collects what fits nowhere else.
 */

export interface Topic {
  code: string;
  name: string;
  parent?: string;
}

/** Parent code of a minor or middle topic: "040101" → "0401" → "04". */
const major = (code: string, name: string): Topic => ({ code, name });
const child = (code: string, name: string): Topic => ({ code, name, parent: code.slice(0, -2) });

export const TOPICS: readonly Topic[] = [
  major('01', '劳动和社会保障'),
  child('0101', '劳动关系'),
  child('010101', '拖欠工资'),
  child('010102', '劳动合同纠纷'),
  child('0102', '社会保险'),
  child('010201', '养老保险'),
  child('010202', '失业保险'),
  child('010203', '工伤保险'),
  child('010204', '社会保障卡'),
  child('0103', '就业创业'),
  child('010301', '就业服务'),
  child('010302', '创业扶持'),

  major('02', '住房和城乡建设'),
  child('0201', '房屋交易与产权'),
  child('020101', '不动产登记'),
  child('020102', '商品房质量'),
  child('020103', '逾期交房'),
  child('020104', '房屋租赁与中介'),
  child('0202', '物业管理'),
  child('020201', '物业服务'),
  child('020202', '物业收费'),
  child('020203', '电梯运行'),
  child('0203', '住房保障'),
  child('020301', '公租房'),
  child('020302', '住房公积金'),
  child('0204', '城乡建设'),
  child('020401', '老旧小区改造'),
  child('020402', '建筑施工管理'),

  major('03', '城市管理'),
  child('0301', '市政设施'),
  child('030101', '道路破损'),
  child('030102', '路灯'),
  child('030103', '井盖'),
  child('030104', '排水设施'),
  child('0302', '市容环卫'),
  child('030201', '垃圾清运与环境卫生'),
  child('030202', '占道经营'),
  child('030203', '违法建设'),
  child('030204', '园林绿化'),

  major('04', '公用事业'),
  child('0401', '供水'),
  child('040101', '停水'),
  child('040102', '水质水压'),
  child('040103', '水费与水表'),
  child('0402', '供电'),
  child('040201', '停电'),
  child('040202', '电压与线路'),
  child('040203', '电费与用电业务'),
  child('0403', '燃气'),
  child('040301', '停气'),
  child('040302', '燃气安全'),
  child('040303', '燃气开通与收费'),
  child('0404', '供热'),
  child('040401', '暖气不热与停暖'),
  child('040402', '供暖缴费与报停'),
  child('0405', '通信'),
  child('040501', '通信网络'),

  major('05', '生态环境'),
  child('0501', '环境污染'),
  child('050101', '大气污染'),
  child('050102', '水污染'),
  child('050103', '餐饮油烟'),
  child('0502', '噪声污染'),
  child('050201', '建筑施工噪声'),
  child('050202', '社会生活噪声'),
  child('050203', '工业噪声'),

  major('06', '教育'),
  child('0601', '学校教育'),
  child('060101', '入学招生'),
  child('060102', '教育收费'),
  child('060103', '师德师风'),
  child('060104', '学校管理'),
  child('0602', '校外培训'),
  child('060201', '校外培训机构'),

  major('07', '农业农村'),
  child('0701', '农村建房'),
  child('070101', '宅基地与建房审批'),
  child('070102', '农村违法建房'),
  child('0702', '耕地保护'),
  child('070201', '违法占用耕地'),
  child('070202', '破坏耕地'),
  child('0703', '农业生产'),
  child('070301', '惠农补贴'),
  child('070302', '农资质量'),

  major('08', '公共安全'),
  child('0801', '户籍管理'),
  child('080101', '户口迁移'),
  child('080102', '居民身份证'),
  child('080103', '出生登记'),
  child('080104', '居住证'),
  child('0802', '治安管理'),
  child('080201', '治安秩序'),
  child('080202', '违法犯罪线索'),
  child('080203', '养犬管理'),
  child('0803', '交通管理'),
  child('080301', '违法停车'),
  child('080302', '车驾管业务'),
  child('080303', '交通违法处理'),
  child('080304', '交通事故'),
  child('0804', '消防安全'),
  child('080401', '消防隐患'),
  child('080402', '火灾'),

  major('09', '交通运输'),
  child('0901', '公共交通'),
  child('090101', '公交线路与站点'),
  child('090102', '公交运营服务'),
  child('0902', '出租汽车'),
  child('090201', '出租车与网约车'),
  child('0903', '交通设施'),
  child('090301', '交通信号灯'),
  child('090302', '交通标志标线'),
  child('090303', '公路养护'),

  major('10', '市场监管'),
  child('1001', '食品安全'),
  child('100101', '食品质量安全'),
  child('1002', '价格监管'),
  child('100201', '价格与计量'),
  child('1003', '消费维权'),
  child('100301', '商品质量纠纷'),
  child('100302', '预付卡消费'),

  major('11', '卫生健康'),
  child('1101', '医疗服务'),
  child('110101', '医疗服务质量'),
  child('110102', '医疗收费'),
  child('110103', '院前急救'),
  child('1102', '公共卫生'),
  child('110201', '疫苗接种'),
  child('110202', '妇幼与生育服务'),

  major('12', '医疗保障'),
  child('1201', '医保参保'),
  child('120101', '城乡居民医保'),
  child('120102', '职工医保'),
  child('1202', '医保待遇'),
  child('120201', '医保报销'),
  child('120202', '异地就医'),
  child('120203', '医保基金监管'),

  major('13', '行政效能'),
  child('1301', '工作效能'),
  child('130101', '推诿拖延不作为'),
  child('130102', '工作作风与态度'),
  child('130103', '办事流程'),
  child('1302', '政务服务'),
  child('130201', '政务服务大厅'),

  major('14', '营商环境'),
  child('1401', '企业服务'),
  child('140101', '企业开办与登记'),
  child('140102', '惠企政策兑现'),
  child('140103', '拖欠企业账款'),
  child('1402', '涉企执法检查'),
  child('140201', '涉企检查与收费'),

  major('15', '邮政快递'),
  child('1501', '快递服务'),
  child('150101', '快件丢失损毁'),
  child('150102', '快件投递'),

  major('16', '民政'),
  child('1601', '社会救助与养老'),
  child('160101', '最低生活保障'),
  child('160102', '养老服务与高龄津贴'),

  major('99', '其他'),
  child('9901', '其他事项'),
  child('990101', '其他'),
];

/** The topic a classifier falls back to when nothing in the text points anywhere. */
export const OTHER_TOPIC = '990101';

/** A code and its ancestors, most specific first: "040101" → ["040101", "0401", "04"]. */
export function topicLineage(code: string): string[] {
  const lineage: string[] = [];
  for (let length = code.length; length >= 2; length -= 2) lineage.push(code.slice(0, length));
  return lineage;
}
