"""The demo sub-district, as data (演示数据): territory, departments, staff, the category tree
an office uses, and the words residents and handlers write. Invented names, real shapes (S0–S4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# One password for every demo account — printed by ``manage.py demo_logins``.
DEMO_PASSWORD = "wangge2026"

CITY = ("北京市", "bj")
DISTRICT = ("东华区", "bj-dh")
SUBDISTRICT = ("和顺里街道", "dh-hsl")

# South-west corner and size (degrees) of the sub-district: about 3 km × 2 km north of the old
# city. The grids tile it: 6 columns × 4 rows; each community is a 2 × 2 block of grids.
ORIGIN = (116.392, 39.948)
SPAN = (0.036, 0.018)
GRID_COLS, GRID_ROWS = 6, 4


@dataclass(frozen=True)
class CommunitySpec:
    code: str
    name: str
    # (grid name, grid type) in the order: north-west, north-east, south-west, south-east.
    grids: tuple[tuple[str, str], ...]
    compounds: tuple[str, ...]
    roads: tuple[str, ...]
    landmarks: tuple[str, ...] = ()


# Laid out west → east, north row first.
COMMUNITIES = (
    CommunitySpec(
        "c1", "和顺西里社区",
        (("和顺西里第一网格", "urban"), ("和顺西里第二网格", "urban"),
         ("和顺西里第三网格", "urban"), ("和顺西里第四网格", "urban")),
        ("和顺西里", "化工宿舍", "西里小区"), ("和顺西街", "安定路"), ("西里菜站", "和顺西里小游园"),
    ),
    CommunitySpec(
        "c2", "和顺东里社区",
        (("和顺东里第一网格", "urban"), ("和顺里小学专属网格", "dedicated"),
         ("和顺东里第二网格", "urban"), ("和顺东里第三网格", "urban")),
        ("和顺东里", "东里南区", "电力宿舍"), ("和顺东街", "和顺南路"), ("和顺里小学", "东里便民市场"),
    ),
    CommunitySpec(
        "c3", "北沙滩村",
        (("北沙滩一组网格", "rural"), ("北沙滩二组网格", "rural"),
         ("北沙滩三组网格", "rural"), ("沙滩农贸市场专属网格", "dedicated")),
        ("北沙滩村", "沙滩新村", "村委会院"), ("沙滩北路", "村东路"), ("沙滩农贸市场", "村文化广场"),
    ),
    CommunitySpec(
        "c4", "青湖社区",
        (("青湖第一网格", "urban"), ("青湖第二网格", "urban"),
         ("青湖公园专属网格", "dedicated"), ("青湖第三网格", "urban")),
        ("青湖小区", "青湖北里", "湖畔家园"), ("青湖路", "安定路"), ("青湖公园", "青湖体育场"),
    ),
    CommunitySpec(
        "c5", "安德里社区",
        (("安德里第一网格", "urban"), ("安德里第二网格", "urban"),
         ("安德里第三网格", "urban"), ("安德里农贸市场专属网格", "dedicated")),
        ("安德里北街小区", "安德里", "外贸宿舍"), ("安德路", "安德里北街"), ("安德里农贸市场", "安德里养老驿站"),
    ),
    CommunitySpec(
        "c6", "兴华社区",
        (("兴华第一网格", "urban"), ("兴华商业街专属网格", "dedicated"),
         ("兴华第二网格", "urban"), ("兴华第三网格", "urban")),
        ("兴华东里", "兴华公寓", "铁路宿舍"), ("兴华路", "和顺南路"), ("兴华商业街", "兴华卫生服务站"),
    ),
)

# Grids (by community code and index) with a few buildings (楼栋) and their units (单元).
BUILDINGS = {("c1", 0): 3, ("c1", 1): 2, ("c2", 0): 3, ("c4", 0): 2, ("c5", 1): 2}
UNITS_PER_BUILDING = 3


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    kind: str  # DepartmentKind value
    phone: str
    officers: tuple[str, ...]  # usernames


DEPARTMENTS = (
    DepartmentSpec("chengguan", "区城管执法局", "district", "010-64010001", ("chengguan", "chengguan2")),
    DepartmentSpec("huanwei", "区环卫中心", "district", "010-64010002", ("huanwei",)),
    DepartmentSpec("jiaojing", "区交通支队（交警）", "district", "010-64010003", ("jiaojing",)),
    DepartmentSpec("xiaofang", "区消防救援支队", "district", "010-64010004", ("xiaofang",)),
    DepartmentSpec("anjian", "区应急管理局（安监）", "district", "010-64010005", ("anjian",)),
    DepartmentSpec("gongan", "公安东华分局和顺里派出所", "district", "010-64010006", ("paichusuo",)),
    DepartmentSpec("shichang", "区市场监管局", "district", "010-64010007", ("shichang",)),
    DepartmentSpec("zhujian", "区住建委", "district", "010-64010008", ("zhujian",)),
    DepartmentSpec("yuanlin", "区园林绿化局", "district", "010-64010009", ("yuanlin",)),
    DepartmentSpec("reli", "东华热力公司", "utility", "010-64010010", ("reli", "reli2")),
    DepartmentSpec("shuiwu", "东华自来水公司", "utility", "010-64010011", ("zilaishui",)),
    DepartmentSpec("chengguanke", "街道城管科", "section", "010-64020001", ("chengguanke",)),
    DepartmentSpec("pingan", "街道平安办", "section", "010-64020002", ("pingan",)),
    DepartmentSpec("minsheng", "街道民生保障办", "section", "010-64020003", ("minsheng",)),
)

# Deadline policies created by cases/0003_default_policies.
POLICY_DEFAULT = "默认时限（5个工作日）"
POLICY_24H = "一星事件（24小时）"
POLICY_JOINT = "跨部门事件（15个工作日）"
POLICY_URGENT = "紧急事件（4小时）"
# Overdue cases on these clocks are supervised (red light, 督办), not escalated automatically.
SUPERVISED_POLICIES = (POLICY_DEFAULT, POLICY_JOINT)


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    label: str  # in residents' words
    keywords: str
    department: str | None = None  # None: the parent's
    star: int | None = None
    handling: str | None = None
    policy: str | None = None
    # What residents say (``{addr}`` the place, ``{when}`` how long / when).
    templates: tuple[str, ...] = ()
    children: tuple["CategorySpec", ...] = field(default=())
    weight: float = 1.0
    name_en: str = ""  # shown on pages read in English


# The categories' English names (Category.name_en), by code.
NAMES_EN = {
    "shirong": "City appearance",
    "shirong-zhandao": "Street vending",
    "shirong-luandui": "Dumped goods and debris",
    "shirong-guanggao": "Illegal ads and signboards",
    "shirong-danche": "Badly parked shared bikes",
    "huanjing": "Sanitation",
    "huanjing-laji": "Rubbish not collected",
    "huanjing-baojie": "Street cleaning",
    "huanjing-gongce": "Public toilets",
    "huanjing-fenlei": "Waste sorting",
    "daolu": "Roads and street facilities",
    "daolu-lumian": "Damaged road surface",
    "daolu-jinggai": "Missing or broken manhole cover",
    "daolu-ludeng": "Street light out",
    "daolu-xinhao": "Traffic lights and signs",
    "gongnuan": "Heating",
    "gongnuan-bure": "Radiators not warm",
    "gongnuan-loushui": "Leaking radiator",
    "gongnuan-shoufei": "Heating charges",
    "gongshui": "Water supply",
    "gongshui-tingshui": "Water cut",
    "gongshui-shuiya": "Low water pressure",
    "gongshui-shuizhi": "Water quality",
    "gongshui-baoguan": "Burst pipe",
    "wuye": "Property disputes",
    "wuye-fuwu": "Poor property management service",
    "wuye-dianti": "Lift out of order",
    "wuye-shoufei": "Property fee dispute",
    "wuye-qiguan": "Old estate without management",
    "zaoyin": "Noise nuisance",
    "zaoyin-shigong": "Construction noise",
    "zaoyin-shanghu": "Shop noise",
    "zaoyin-guangchangwu": "Square-dancing noise",
    "zaoyin-zhuangxiu": "Renovation noise",
    "youyan": "Cooking fumes",
    "youyan-canyin": "Restaurant fumes",
    "youyan-shaokao": "Outdoor barbecues",
    "anquan": "Safety hazards",
    "anquan-xiaofang": "Blocked fire lane",
    "anquan-diandongche": "Unsafe e-bike charging",
    "anquan-ranqi": "Gas safety",
    "anquan-zhuiwu": "Risk of falling objects",
    "weijian": "Illegal construction",
    "weijian-sida": "Unauthorised structures",
    "weijian-chaigai": "Illegal alterations in renovation",
    "weijian-dixiashi": "People living in basements",
    "linli": "Neighbour disputes",
    "linli-loushui": "Leak from the flat above",
    "linli-duiwu": "Stairwell clutter dispute",
    "linli-chongwu": "Pet nuisance",
    "linli-tingche": "Parking dispute",
    "yanglao": "Elderly care",
    "yanglao-dujv": "Care for elderly living alone",
    "yanglao-zhucan": "Meals for the elderly",
    "yanglao-shilao": "Age-friendly home adaptation",
    "yanglao-jintie": "Old-age allowance",
    "shichang": "Market supervision",
    "shichang-shipin": "Food safety",
    "shichang-wuzhao": "Unlicensed business",
    "shichang-jiage": "Price fraud",
    "zhian": "Public order",
    "zhian-keyi": "Suspicious persons",
    "zhian-daoqie": "Theft",
    "zhian-qunzu": "Overcrowded rentals",
    "lvhua": "Parks and greenery",
    "lvhua-shumu": "Tree pruning",
    "lvhua-lvdi": "Damaged green space",
}


def C(code, name, label, keywords, *templates, **kw) -> CategorySpec:
    kw.setdefault("name_en", NAMES_EN.get(code, ""))
    return CategorySpec(code=code, name=name, label=label, keywords=keywords, templates=templates, **kw)


CATEGORIES = (
    C("shirong", "市容环境", "街面乱象", "市容 街面 乱象", department="chengguanke", star=1, handling="general",
      policy=POLICY_24H, weight=12, children=(
        C("shirong-zhandao", "占道经营", "路边有人摆摊占道", "占道 摆摊 流动摊贩 小商贩 出摊 早市",
          "{addr}{when}有流动摊贩摆摊卖菜卖水果，把人行道占了一大半，老人孩子只能走机动车道，很危险。",
          "{addr}门口{when}有人推车卖早点、煎饼，占道经营，油渍满地，希望管一管。",
          "{addr}附近晚上有夜市摊位一直摆到马路上，车辆过不去，经常堵车。"),
        C("shirong-luandui", "乱堆乱放", "路边或空地堆了杂物", "堆物 杂物 建筑垃圾 乱堆 渣土 废品",
          "{addr}旁边空地{when}堆了大量装修垃圾和废旧家具，没人清理，影响环境。",
          "{addr}路边有人收废品，纸箱塑料瓶堆得像小山，夏天招苍蝇，还有火灾隐患。",
          "{addr}院里有人堆放渣土和砖头，占了好几个车位，下雨满地泥。"),
        C("shirong-guanggao", "违规广告牌匾", "小广告、违规招牌", "小广告 牌匾 横幅 招牌 广告 喷涂",
          "{addr}楼道和电线杆上贴满了开锁、办证的小广告，清理了又贴，希望治理。",
          "{addr}一家店新挂的招牌特别大，挡住了楼上住户的窗户，也不知道是否审批过。",
          "{addr}临街围墙上挂了好几条破旧横幅，风一吹哗哗响，有掉下来的危险。",
          department="chengguan"),
        C("shirong-danche", "共享单车乱停放", "共享单车乱停乱放", "共享单车 单车 自行车 乱停 堵路",
          "{addr}地铁口共享单车堆成一片，盲道和出口都被堵住了，{when}一直这样。",
          "{addr}小区门口大量共享单车乱停，消防车和救护车都进不来。",
          "{addr}路口的共享单车倒了一地，没人整理，行人只能绕行。"),
    )),
    C("huanjing", "环境卫生", "垃圾和卫生问题", "环境 卫生 垃圾", department="huanwei", star=1, handling="general",
      policy=POLICY_24H, weight=12, children=(
        C("huanjing-laji", "垃圾清运不及时", "垃圾没人清、垃圾桶满了", "垃圾 满溢 清运 垃圾桶 臭 苍蝇",
          "{addr}的垃圾桶{when}都是满的，垃圾溢到地上，味道很大，清运车好几天没来了。",
          "{addr}垃圾站周边污水横流，臭味传到楼上，夏天根本不敢开窗。",
          "{addr}大件垃圾堆在垃圾桶边上一个多星期了，没人拉走。"),
        C("huanjing-baojie", "道路保洁", "路面脏、没人打扫", "脏 落叶 扫 保洁 污水 油污",
          "{addr}路面{when}很脏，落叶和塑料袋没人扫，雨后全是泥水。",
          "{addr}路边有一大片油污，像是餐馆倒的泔水，走路打滑。",
          "{addr}人行道上狗粪很多，保洁员好像很久没来了。"),
        C("huanjing-gongce", "公厕管理", "公共厕所脏、坏了", "公厕 厕所 异味 堵塞 冲水",
          "{addr}附近的公厕{when}冲水坏了，异味很重，老人出门遛弯没地方上厕所。",
          "{addr}公共厕所晚上不开门，洗手池也坏了，希望维修并延长开放时间。"),
        C("huanjing-fenlei", "垃圾分类", "垃圾分类问题", "垃圾分类 混投 分类桶 厨余",
          "{addr}的分类垃圾桶只有其他垃圾桶，厨余垃圾没地方扔，居民只能混投。",
          "{addr}收运车来了把分好类的垃圾又倒进一个车里，居民觉得分类白分了。"),
    )),
    C("daolu", "道路设施", "道路、井盖、路灯", "道路 设施 市政", department="chengguan", star=2, handling="general",
      policy=POLICY_DEFAULT, weight=8, children=(
        C("daolu-lumian", "路面破损", "路面坑洼、塌陷", "坑 破损 塌陷 路面 坑洼 积水",
          "{addr}路面有一个大坑，{when}已经有好几个骑电动车的人摔倒了。",
          "{addr}人行道地砖松动翘起，下雨一踩就溅一身泥水。",
          "{addr}路面出现塌陷，大约一平方米，担心下面是空的，请尽快处理。",
          department="zhujian"),
        C("daolu-jinggai", "井盖缺失破损", "井盖坏了或丢了", "井盖 窨井 缺失 松动 响",
          "{addr}有个井盖不见了，只拿了一个锥桶挡着，晚上看不见非常危险。",
          "{addr}路中间的井盖松动，车一压就咣当响，半夜吵得睡不着。",
          handling="emergency", policy=POLICY_URGENT),
        C("daolu-ludeng", "路灯不亮", "路灯不亮", "路灯 不亮 灯坏 黑 照明",
          "{addr}一排路灯{when}都不亮，晚上漆黑一片，下夜班回家很害怕。",
          "{addr}路灯白天亮着晚上反而不亮，请检修。"),
        C("daolu-xinhao", "交通信号与标志", "红绿灯、交通标志坏了", "红绿灯 信号灯 标志 标线 斑马线 违停",
          "{addr}路口的红绿灯{when}坏了，一直闪黄灯，早晚高峰很乱。",
          "{addr}斑马线已经磨没了，孩子上学过马路很危险，建议重新施划并设减速带。",
          "{addr}路边常年有车违停，把公交站都占了。",
          department="jiaojing"),
    )),
    C("gongnuan", "供暖", "暖气问题", "供暖 暖气 采暖", department="reli", star=1, handling="general",
      policy=POLICY_24H, weight=10, children=(
        C("gongnuan-bure", "暖气不热", "暖气不热", "暖气 不热 温度低 冰凉 室温",
          "{addr}家里暖气{when}一直不热，室温只有十四五度，家里有老人和小孩。",
          "{addr}整个单元的暖气都是上热下凉，放了气也不管用。",
          "{addr}已经开始供暖了，但我家暖气片是凉的，邻居家是热的，请热力公司上门看看。"),
        C("gongnuan-loushui", "暖气漏水", "暖气漏水、跑水", "暖气 漏水 跑水 阀门 管道",
          "{addr}暖气管道阀门漏水，水已经流到楼下邻居家了，请马上派人来！",
          "{addr}楼道里的供暖主管道在滴水，地上结了冰。",
          handling="emergency", policy=POLICY_URGENT),
        C("gongnuan-shoufei", "供暖收费", "供暖收费问题", "供暖费 采暖费 收费 缴费 发票",
          "{addr}住户反映今年供暖费计费面积和房本不一致，多收了钱，请核实。",
          "{addr}老人不会用手机缴供暖费，营业厅太远，希望社区能代收或上门服务。",
          policy=POLICY_DEFAULT),
    )),
    C("gongshui", "供水", "停水、水质问题", "供水 自来水 水管", department="shuiwu", star=1, handling="general",
      policy=POLICY_24H, weight=6, children=(
        C("gongshui-tingshui", "停水", "家里停水了", "停水 没水 断水",
          "{addr}从{when}开始停水，没有任何通知，一家人做饭洗漱都成问题。",
          "{addr}整栋楼没水了，物业说是外面管线的问题，请自来水公司尽快恢复。",
          handling="emergency", policy=POLICY_URGENT),
        C("gongshui-shuiya", "水压低", "水压低、水流小", "水压 水小 水流 热水器",
          "{addr}高层住户{when}水压很低，热水器都打不着火。",
          "{addr}早晚用水高峰时六楼以上基本没水，希望加装二次加压。"),
        C("gongshui-shuizhi", "水质问题", "自来水发黄、有异味", "水质 发黄 浑浊 异味 水垢",
          "{addr}自来水放出来是黄色的，有铁锈味，{when}一直这样，不敢喝。",
          "{addr}水里有白色絮状物，烧开后有很重的水垢，请检测水质。"),
        C("gongshui-baoguan", "管道爆裂", "水管爆了、路上冒水", "爆管 水管 冒水 爆裂 积水",
          "{addr}路边地下水管爆了，水一直往外冒，路面已经积水结冰。",
          "{addr}小区主水管破裂，院里水漫金山，请紧急抢修。",
          handling="emergency", policy=POLICY_URGENT),
    )),
    C("wuye", "物业纠纷", "物业问题", "物业 小区 业委会", department="zhujian", star=2, handling="coordination",
      policy=POLICY_DEFAULT, weight=10, children=(
        C("wuye-fuwu", "物业服务不到位", "物业不管事", "物业 不管 服务差 保洁 保安 门禁",
          "{addr}物业{when}对居民报修不理不睬，楼道灯坏了一个月没人修。",
          "{addr}小区门禁坏了很久，外来人员随便进出，物业一直推脱。",
          "{addr}物业收了钱但楼道从来不打扫，垃圾堆在楼梯间。"),
        C("wuye-dianti", "电梯故障", "电梯坏了", "电梯 故障 困人 停运 异响",
          "{addr}电梯{when}频繁故障，上周还困过人，住高层的老人只能爬楼。",
          "{addr}电梯运行时有很大的异响，担心安全，请检查。",
          department="shichang", handling="general", policy=POLICY_24H),
        C("wuye-shoufei", "物业收费争议", "物业收费不合理", "物业费 收费 涨价 停车费 公示",
          "{addr}物业突然上调物业费和停车费，没有开业主大会，也没有公示。",
          "{addr}物业不公开公共收益账目，业主要求公示。"),
        C("wuye-qiguan", "老旧小区弃管", "小区没有物业管", "弃管 无物业 老旧小区 自管",
          "{addr}是老旧小区，原物业撤走后没人管，垃圾、绿化、下水道都没人负责。",
          "{addr}小区弃管多年，化粪池满溢，希望街道协调引入物业。",
          policy=POLICY_JOINT),
    )),
    C("zaoyin", "噪音扰民", "噪音太吵", "噪音 扰民 吵", department="chengguan", star=1, handling="general",
      policy=POLICY_24H, weight=9, children=(
        C("zaoyin-shigong", "施工噪音", "工地施工太吵", "施工 夜间施工 工地 噪音 打桩 渣土车",
          "{addr}附近工地{when}夜里施工到凌晨两三点，打桩声吵得根本睡不着。",
          "{addr}工地早上五点就开始干活，渣土车进出轰隆隆的。"),
        C("zaoyin-shanghu", "商户噪音", "店铺放音乐、喇叭叫卖", "音响 喇叭 叫卖 商户 噪音 促销",
          "{addr}有家店门口放大音箱循环叫卖，从早到晚，楼上住户受不了。",
          "{addr}一家酒吧每天营业到深夜，音乐声和客人喧哗声很大。",
          department="chengguanke"),
        C("zaoyin-guangchangwu", "广场舞噪音", "广场舞太吵", "广场舞 音乐 音响 跳舞 健身",
          "{addr}广场舞{when}音响开得特别大，晚上十点还在跳，孩子没法写作业。",
          "{addr}早上六点就有人在楼下放音乐打太极，声音太大。",
          department="pingan"),
        C("zaoyin-zhuangxiu", "装修噪音", "邻居装修太吵", "装修 电钻 砸墙 周末",
          "{addr}有住户装修，中午和周末也在砸墙打钻，物业劝了不听。",
          "{addr}楼上装修{when}每天从早上七点干到晚上九点。",
          department="pingan"),
    )),
    C("youyan", "油烟扰民", "油烟问题", "油烟 餐饮", department="chengguan", star=1, handling="general",
      policy=POLICY_DEFAULT, weight=5, children=(
        C("youyan-canyin", "餐饮油烟", "饭馆油烟太大", "油烟 饭馆 餐馆 排烟 净化器 烟道",
          "{addr}楼下饭馆的排烟口正对居民窗户，{when}油烟呛得没法开窗。",
          "{addr}新开的餐馆没装油烟净化器，油烟直排，墙都熏黑了。"),
        C("youyan-shaokao", "露天烧烤", "露天烧烤冒烟", "烧烤 露天 烟熏 夜市 炭火",
          "{addr}每天晚上有露天烧烤，烟熏火燎一直到后半夜，还有人喝酒喧哗。",
          "{addr}烧烤摊把炭火炉摆在人行道上，烟很大，也有火灾隐患。",
          policy=POLICY_24H),
    )),
    C("anquan", "安全隐患", "安全隐患", "安全 隐患 危险", department="anjian", star=2, handling="emergency",
      policy=POLICY_URGENT, weight=6, children=(
        C("anquan-xiaofang", "消防通道堵塞", "消防通道被堵", "消防通道 堵塞 占用 消防车 杂物",
          "{addr}消防通道{when}被私家车和杂物堵死了，真着火了消防车根本进不来。",
          "{addr}楼道消防门被锁，灭火器过期，请检查。",
          department="xiaofang"),
        C("anquan-diandongche", "电动车违规充电", "楼道里给电动车充电", "电动车 充电 飞线 楼道 电瓶",
          "{addr}有住户从窗户拉电线给楼下电动车充电，飞线到处都是，非常危险。",
          "{addr}楼道里停了好几辆电动车，晚上还在充电。",
          department="xiaofang"),
        C("anquan-ranqi", "燃气安全", "闻到燃气味", "燃气 煤气 液化气 泄漏 气味 钢瓶",
          "{addr}楼道里闻到很浓的燃气味，请马上派人检查！",
          "{addr}一家小餐馆在地下室使用多个液化气钢瓶，存在很大隐患。"),
        C("anquan-zhuiwu", "高空坠物隐患", "外墙、空调外机要掉", "坠物 脱落 外墙 空调外机 松动 广告牌",
          "{addr}外墙瓷砖有脱落，下面是小区主路，怕砸到人。",
          "{addr}有一台空调外机支架锈蚀松动，随时可能掉下来。",
          department="zhujian", handling="general", policy=POLICY_24H),
    )),
    C("weijian", "违章建筑", "私搭乱建", "违建 违章 搭建", department="chengguan", star=2, handling="general",
      policy=POLICY_JOINT, weight=4, children=(
        C("weijian-sida", "私搭乱建", "有人私搭乱建", "私搭乱建 违建 搭建 加盖 彩钢房 封院",
          "{addr}一楼住户在院子里搭了一间彩钢房，占用公共绿地。",
          "{addr}顶楼住户在楼顶加盖了房子，楼下漏水，也不安全。"),
        C("weijian-chaigai", "违规装修拆改", "装修拆了承重墙", "拆改 承重墙 破坏 结构 开窗",
          "{addr}有住户装修时拆承重墙，整栋楼的人都很担心。",
          "{addr}底商擅自在外墙开门开窗，破坏了楼体结构。",
          department="zhujian"),
        C("weijian-dixiashi", "地下室违规住人", "地下室住人", "地下室 群租 住人 人防",
          "{addr}地下室被隔成很多小间出租，住了几十个人，通风消防都不行。",
          department="zhujian", handling="coordination"),
    )),
    C("linli", "邻里纠纷", "邻里矛盾", "邻里 纠纷 矛盾 调解", department="pingan", star=1, handling="coordination",
      policy=POLICY_DEFAULT, weight=8, children=(
        C("linli-loushui", "楼上漏水", "楼上漏水到我家", "漏水 楼上 渗水 天花板 卫生间",
          "{addr}楼上卫生间漏水，我家天花板{when}一直渗水发霉，楼上不配合维修。",
          "{addr}楼上家里没人住，水管漏水淹了我家，联系不上房主。"),
        C("linli-duiwu", "楼道堆物纠纷", "邻居在楼道堆东西", "楼道 堆物 占用 邻居 鞋柜",
          "{addr}对门邻居在楼道放鞋柜、纸箱，还养了花，过人都困难，沟通多次无果。",
          "{addr}邻居把旧家具堆在楼梯口，说了也不搬。"),
        C("linli-chongwu", "宠物扰民", "邻居家狗叫、遛狗不拴绳", "狗 宠物 犬吠 遛狗 粪便 拴绳",
          "{addr}邻居家的狗{when}白天晚上叫个不停，家里老人心脏不好。",
          "{addr}有人遛大型犬不拴绳，还吓到了小孩，狗粪也不清理。",
          department="gongan"),
        C("linli-tingche", "停车纠纷", "车位被占、挡路", "停车 车位 占车位 挡路 地锁",
          "{addr}有人私装地锁占公共车位，和其他住户吵了好几次。",
          "{addr}有车长期停在单元门口，救护车都进不来，车主不接电话。"),
    )),
    C("yanglao", "养老服务", "老人需要帮助", "养老 老人 为老服务", department="minsheng", star=1,
      handling="general", policy=POLICY_DEFAULT, weight=4, children=(
        C("yanglao-dujv", "独居老人关爱", "独居老人需要照看", "独居 老人 无人照顾 探访 空巢",
          "{addr}住着一位八十多岁的独居老人，子女在外地，{when}没见他下楼，请社区上门看看。",
          "{addr}独居老人家里的灯和燃气灶经常忘关，希望社区帮忙装个报警器。"),
        C("yanglao-zhucan", "老年助餐", "老年餐、送餐", "助餐 老年餐 食堂 送餐",
          "{addr}附近没有老年餐桌，腿脚不便的老人吃饭难，希望开通送餐服务。",
          "{addr}养老驿站的助餐菜品太咸太硬，老人吃不惯，希望改进。"),
        C("yanglao-shilao", "适老化改造", "扶手、加装电梯", "扶手 适老化 加装电梯 无障碍 坡道",
          "{addr}老楼没有电梯，住户大多是老人，希望加装电梯，已有多数住户签字同意。",
          "{addr}单元门口台阶很高，希望加装扶手和无障碍坡道。",
          star=2, policy=POLICY_JOINT),
        C("yanglao-jintie", "高龄津贴", "老年补贴怎么领", "津贴 补贴 高龄 养老卡",
          "{addr}老人今年满八十岁，不知道高龄津贴怎么申请，请告知办理流程。",
          "{addr}老人的养老助残卡丢了，补办要去哪里？"),
    )),
    C("shichang", "市场监管", "买东西、吃的东西有问题", "市场 食品 价格", department="shichang", star=2,
      handling="general", policy=POLICY_DEFAULT, weight=4, children=(
        C("shichang-shipin", "食品安全", "食品卫生问题", "食品 过期 变质 卫生 食物中毒",
          "{addr}的超市在卖过期牛奶，跟店员说了也不下架。",
          "{addr}一家小吃店后厨卫生很差，老鼠乱跑，吃完后拉肚子。"),
        C("shichang-wuzhao", "无照经营", "没有执照的店", "无照 无证 黑作坊 执照",
          "{addr}有人在居民楼里开黑作坊加工食品，没有任何证照。",
          "{addr}新开的美容店没有营业执照，还在给人打针。"),
        C("shichang-jiage", "价格欺诈", "乱收费、缺斤短两", "价格 乱收费 欺诈 缺斤短两 明码标价",
          "{addr}农贸市场有摊贩缺斤短两，一斤菜只有八两。",
          "{addr}有商户不明码标价，结账时随意加价。"),
    )),
    C("zhian", "社会治安", "治安问题", "治安 安全 报警", department="gongan", star=2, handling="general",
      policy=POLICY_DEFAULT, weight=3, children=(
        C("zhian-keyi", "可疑人员", "有可疑的人", "可疑 陌生人 推销 保健品 盯梢",
          "{addr}{when}有陌生人挨家挨户推销保健品，专门找老人，怀疑是诈骗。",
          "{addr}晚上总有人在小区里转悠，试拉电动车，请加强巡逻。"),
        C("zhian-daoqie", "盗窃", "东西被偷", "偷 盗窃 丢失 撬 电瓶",
          "{addr}最近连续有电动车电瓶被偷，监控是坏的。",
          "{addr}车棚里的自行车接连丢失，希望安装监控。"),
        C("zhian-qunzu", "群租房", "群租房人员复杂", "群租 隔断 出租房 人员复杂",
          "{addr}有一套房被隔成七八间出租，人员进出频繁，楼道堆满杂物。",
          department="pingan", handling="coordination"),
    )),
    C("lvhua", "园林绿化", "树木和绿地", "绿化 树木 绿地", department="yuanlin", star=1, handling="general",
      policy=POLICY_DEFAULT, weight=3, children=(
        C("lvhua-shumu", "树木修剪", "树枝挡窗、树要倒", "树枝 修剪 遮挡 枯树 倒伏 飞絮",
          "{addr}楼前的大树树枝伸到窗户里了，挡光还招虫，希望修剪。",
          "{addr}路边有一棵枯树，树干已经空了，刮风时摇摇欲坠。"),
        C("lvhua-lvdi", "绿地损毁", "绿地被毁、种菜", "绿地 草坪 毁绿 种菜 踩踏",
          "{addr}有居民把公共绿地刨了种菜，还圈上了栅栏。",
          "{addr}绿地被车辆碾压得光秃秃的，下雨全是泥。"),
    )),
)

# What handlers write when they resolve, per root category (办理结果).
RESULTS = {
    "shirong": ("已到现场核实，对占道及乱堆乱放问题进行了清理整治，已恢复通行，后续纳入日常巡查。",
                "执法队员现场劝导并督促当事人自行清理，已整改完毕，网格员将每日巡查防止反弹。",
                "已联系相关单位清理，现场已恢复整洁，并张贴了文明提示。"),
    "huanjing": ("环卫中心已安排车辆清运，垃圾已清理完毕，并调整为每日清运两次。",
                 "已对路面进行冲洗保洁，并增派保洁人员，问题已解决。",
                 "已维修并清洁到位，安排专人每日巡检。"),
    "daolu": ("已安排施工队修补完毕，路面恢复平整。",
              "已更换损坏设施并恢复正常使用，感谢您的反映。",
              "经现场勘查已完成维修，同时对周边同类设施进行了排查。"),
    "gongnuan": ("热力公司已入户排查，为管道排气并调节阀门，室温已达到18℃以上。",
                 "已更换损坏阀门，漏水问题已处理，对楼下受损情况进行了登记。",
                 "经核实已按实际面积调整计费，差额将在下一期退还。"),
    "gongshui": ("自来水公司已完成抢修，供水已恢复。",
                 "已对二次供水设施检修并清洗水箱，经检测水质合格。",
                 "已调整加压泵运行时段，高峰期水压恢复正常。"),
    "wuye": ("街道、社区约谈物业公司，物业已承诺整改并完成维修，社区将持续监督。",
             "经社区协调，召开业主协商会，双方达成一致意见。",
             "已督促物业公司公示收费依据和公共收益，业主表示认可。"),
    "zaoyin": ("执法人员现场检查，责令施工单位停止夜间施工，已按规定处理。",
               "已对商户进行劝导，音响已撤除，将持续关注。",
               "社区组织双方沟通，约定了活动时间和音量，问题已缓解。"),
    "youyan": ("已责令餐馆加装油烟净化设施并改造排烟口，现已整改到位。",
               "露天烧烤已取缔，并纳入夜间巡查重点。"),
    "anquan": ("已组织清理消防通道，对涉及车辆进行了挪移，并设置禁停标识。",
               "已现场排除隐患，燃气公司检查确认无泄漏。",
               "已拆除飞线并对楼道电动车进行清理，开展了消防安全宣传。"),
    "weijian": ("经执法部门认定为违法建设，已依法下达限期拆除通知，当事人已自行拆除。",
                "已责令停止施工并恢复原状，住建委对楼体进行了安全鉴定。"),
    "linli": ("社区人民调解员组织双方调解，达成调解协议，问题已解决。",
              "已联系房主上门维修，漏水问题已处理，双方就赔偿达成一致。",
              "经网格员多次沟通，邻居已清理楼道堆物，双方表示满意。"),
    "yanglao": ("社区已上门探访，为老人登记了定期巡访服务，并安装了紧急呼叫设备。",
                "已开通老年餐送餐服务，每日中午送餐上门。",
                "已告知申请流程并由网格员协助老人完成申请。"),
    "shichang": ("市场监管所已现场检查，对违规商户立案调查并责令整改。",
                 "已依法查处无照经营行为，相关物品已暂扣。"),
    "zhian": ("派出所已加强巡逻并对可疑人员进行了盘查，提醒居民提高防范意识。",
              "已调取监控开展调查，并协调物业修复监控设施。"),
    "lvhua": ("园林部门已完成树木修剪，并清运了枝叶。",
              "已对损毁绿地进行补植恢复，并设置了护栏和提示牌。"),
}

# Where a root's answers would not fit every sub-category: answers per sub-category.
LEAF_RESULTS = {
    "anquan-xiaofang": ("已组织清理消防通道，对占道车辆进行了挪移，并设置禁停标识。",
                        "消防救援支队已上门检查，责令物业打开消防门并更换过期灭火器。"),
    "anquan-diandongche": ("已拆除飞线，清理楼道内电动车，并开展消防安全宣传。",
                           "已协调物业在小区内增设电动车集中充电桩。"),
    "anquan-ranqi": ("燃气公司已到场检测，排除泄漏隐患。", "已责令餐馆将液化气钢瓶移出地下室并更换为管道燃气。"),
    "anquan-zhuiwu": ("已安排对外墙空鼓瓷砖进行清除并设置警示围挡。", "已督促业主对空调外机支架进行加固。"),
    "linli-loushui": ("社区调解员组织双方协商，楼上住户已维修防水，并就赔偿达成一致。",
                      "已联系房主上门维修，漏水问题已处理。"),
    "linli-duiwu": ("经网格员多次沟通，邻居已清理楼道堆物，双方表示满意。",),
    "linli-chongwu": ("派出所民警上门宣传文明养犬规定，犬主承诺拴绳遛狗、及时清理粪便。",),
    "linli-tingche": ("已拆除私装地锁，社区组织业主协商制定停车公约。", "已联系车主挪车，并在单元门口施划禁停标线。"),
    "zaoyin-guangchangwu": ("社区组织广场舞队协商，约定活动时间不超过晚上九点并控制音量。",),
    "zaoyin-zhuangxiu": ("物业已约谈装修户，要求严格按照规定时间施工。",),
    "gongnuan-shoufei": ("经核实已按房本面积重新计费，多收部分将在下一期退还。",
                         "热力公司已在社区设立临时缴费点，并提供上门代缴服务。"),
}

PROGRESS_NOTES = (
    "已到现场查看，正在联系相关责任单位。",
    "已与诉求人电话沟通，约定明天上门处理。",
    "需要协调物业和施工单位，正在推进。",
    "材料已报送，等待审批。",
    "已安排人员今天下午到场。",
)
SUSPEND_REASONS = (
    "需等待业主提供房屋产权材料，暂时挂起。",
    "雨雪天气无法施工，待天气好转后处理。",
    "涉及诉讼，等待法院判决结果。",
    "需等待供暖季结束后才能更换管道。",
)
REJECT_REASONS = (
    "来电人反映的是个人合同纠纷，不属于本平台受理范围，已告知通过法律途径解决。",
    "诉求内容不完整，多次回拨无法联系到来电人。",
    "重复来电，同一问题已有工单在办理中。",
    "诉求地点不在本街道辖区，已告知向属地街道反映。",
)
RETURN_REASONS = (
    "经现场核实，该问题不属于本单位职责范围，请重新派单。",
    "该地点不在我单位管辖范围内，建议派给属地相关部门。",
    "问题性质判断有误，应由其他部门牵头处理。",
)
ESCALATE_REASONS = (
    "涉及多个部门，网格内无法解决，申请上报。",
    "问题复杂，需要区级部门协调解决。",
    "多次协调未果，提请上级会商。",
)
EXTENSION_REASONS = (
    "需要协调施工队和材料，申请延期。",
    "涉及多户居民，需要逐户入户排查，申请延期。",
    "需等待上级部门审批，申请延期。",
)
URGE_NOTES = ("请抓紧办理，今天内反馈进展。", "居民多次来电催促，请尽快处置。", "临近时限，请加快办理。")
RATING_COMMENTS = {
    "satisfied": ("处理很及时，谢谢！", "工作人员态度很好。", "", "", "问题解决了，点赞。"),
    "basically": ("解决了，但是等的时间有点长。", "基本解决，希望以后多巡查。", ""),
    "unsatisfied": ("问题根本没解决，还是老样子。", "只是来看了一眼，什么都没做。", "处理结果不认可。"),
}
WHEN = ("最近几天", "这一周以来", "今天早上", "昨天晚上", "连续好几天", "每天晚上", "这两天", "近一个月")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国建华志强文斌海燕雪梅淑珍桂兰凤英春梅晓东国庆振华立新红梅丽娟宏伟德明秋菊"


# 回访 (三看): what residents say on the callback.
REVISIT_WORDS = {
    "in_place": ("去看过了，确实弄好了。", "今天早上看已经处理了。", "现场已经恢复，挺好。", "基本弄好了，还有点尾巴。"),
    "accepted": ("理解，谢谢你们。", "行，这样处理我认可。", "没问题，辛苦了。", "希望以后常来看看。"),
    "refused": ("过两天又是老样子，不认可。", "根本没解决，只是应付。", "处理结果我不接受。"),
}
