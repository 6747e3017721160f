/**
 * Gazetteer of the demo city 新乡市 (4107): its districts and counties (区县), with streets
 * (街道), towns and townships (乡镇), roads and landmarks residents name instead of the
 * district. Place names are illustrative demo data. Names that cannot decide anything alone
 * are left out: trunk roads crossing districts (人民路, 平原路) and names shared by several
 * counties (城关镇).
 */

export interface District {
  /** 6-digit administrative division code */
  code: string;
  name: string;
  /** other names that identify the district by themselves ("辉县" for 辉县市) */
  aliases: string[];
  places: string[];
}

export interface RegionGazetteer {
  cityCode: string;
  /** names of the city itself: inside the jurisdiction, but no district */
  cityNames: string[];
  districts: District[];
  /** other cities, named with their suffix ("郑州市"): a matter there is not this hotline's */
  otherCities: string[];
}

export const XINXIANG_REGIONS: RegionGazetteer = {
  cityCode: '410700',
  cityNames: ['新乡市', '新乡'],
  districts: [
    {
      code: '410702',
      name: '红旗区',
      aliases: [],
      places: [
        '西街街道', '东街街道', '渠东街道', '文化街街道', '向阳街道', '洪门镇', '小店镇', '关堤乡',
        '文化街', '劳动路', '新中大道', '金穗大道', '宏力大道', '向阳社区', '向阳小区',
        '人民公园', '宝龙城市广场', '新乡东站',
      ],
    },
    {
      code: '410703',
      name: '卫滨区',
      aliases: [],
      places: [
        '胜利路街道', '健康路街道', '中同街道', '自由路街道', '铁西街道', '解放路街道', '平原镇',
        '胜利路', '健康路', '自由路', '铁西', '中同街', '新乡火车站',
      ],
    },
    {
      code: '410704',
      name: '凤泉区',
      aliases: [],
      places: ['宝西街道', '宝东街道', '耿黄镇', '大块镇', '潞王坟乡', '宝东新区', '凤泉湖'],
    },
    {
      code: '410711',
      name: '牧野区',
      aliases: [],
      places: [
        '花园街道', '荣校路街道', '卫北街道', '东干道街道', '新辉路街道', '牧野乡', '王村镇',
        '荣校路', '东干道', '牧野大道', '新辉路', '牧野湖',
      ],
    },
    {
      code: '410721',
      name: '新乡县',
      aliases: [],
      places: ['小冀镇', '七里营', '朗公庙镇', '古固寨镇', '翟坡镇', '大召营镇', '合河乡'],
    },
    {
      code: '410724',
      name: '获嘉县',
      aliases: ['获嘉'],
      places: ['亢村镇', '照镜镇', '黄堤镇', '中和镇', '徐营镇', '冯庄镇', '史庄镇', '位庄乡', '太山乡', '大新庄'],
    },
    {
      code: '410725',
      name: '原阳县',
      aliases: ['原阳'],
      places: [
        '原武镇', '师寨镇', '齐街镇', '太平镇', '福宁集镇', '葛埠口乡', '蒋庄乡', '官厂乡', '大宾镇', '祝楼乡',
        '桥北乡', '韩董庄镇', '陡门乡', '靳堂乡', '路寨乡',
      ],
    },
    {
      code: '410726',
      name: '延津县',
      aliases: ['延津'],
      places: ['东屯镇', '丰庄镇', '小潭乡', '胙城乡', '僧固乡', '石婆固镇', '王楼镇', '位邱乡', '司寨乡', '马庄乡', '榆林乡'],
    },
    {
      code: '410727',
      name: '封丘县',
      aliases: ['封丘'],
      places: ['黄陵镇', '黄德镇', '应举镇', '陈桥镇', '赵岗镇', '留光镇', '潘店镇', '尹岗镇', '鲁岗镇', '荆隆宫乡', '居厢镇'],
    },
    {
      code: '410781',
      name: '卫辉市',
      aliases: ['卫辉'],
      places: [
        '汲水镇', '太公镇', '孙杏村镇', '后河镇', '李源屯镇', '唐庄镇', '上乐村镇', '狮豹头乡', '安都乡',
        '顿坊店乡', '柳庄乡', '庞寨乡', '城郊乡', '比干大道', '比干庙',
      ],
    },
    {
      code: '410782',
      name: '辉县市',
      aliases: ['辉县'],
      places: [
        '百泉', '孟庄镇', '吴村镇', '南村镇', '南寨镇', '上八里镇', '北云门镇', '占城镇', '薄壁镇', '峪河镇',
        '冀屯镇', '拍石头乡', '赵固乡', '沙窑乡', '张村乡', '洪洲乡', '西平罗乡', '高庄乡', '黄水乡', '万仙山',
        '八里沟',
      ],
    },
    {
      code: '410783',
      name: '长垣市',
      aliases: ['长垣'],
      places: [
        '蒲东街道', '蒲西街道', '蒲北街道', '南蒲街道', '魏庄街道', '恼里镇', '樊相镇', '赵堤镇', '孟岗镇',
        '满村镇', '苗寨镇', '张三寨镇', '丁栾镇', '芦岗乡', '佘家镇', '方里镇',
      ],
    },
  ],
  otherCities: [
    '郑州市', '开封市', '洛阳市', '平顶山市', '安阳市', '鹤壁市', '焦作市', '濮阳市', '许昌市', '漯河市',
    '三门峡市', '南阳市', '商丘市', '信阳市', '周口市', '驻马店市', '济源市', '北京市', '上海市', '天津市',
    '重庆市', '石家庄市', '邯郸市', '聊城市', '菏泽市', '西安市', '武汉市', '广州市', '深圳市', '杭州市',
  ],
};
