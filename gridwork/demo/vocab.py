"""Word pools for the synthetic district: names, phones, place names, organisations, objects.

Names are random combinations of common surnames and given-name characters, so no row
describes a real person. Weighted picks go through a flat lookup table (one `random()` call),
because the builder draws several million of them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


class Picker:
    """Weighted choice by one float draw: the values repeated by weight in a flat table."""

    def __init__(self, weighted: Sequence[tuple[str, float]], resolution: int = 2000) -> None:
        total = sum(w for _, w in weighted)
        table: list[str] = []
        for value, weight in weighted:
            table.extend([value] * max(1, round(weight / total * resolution)))
        self.table = table
        self.size = len(table)

    def __call__(self, rng: random.Random) -> str:
        return self.table[int(rng.random() * self.size)]


# Common surnames with rough relative frequencies (per mille).
SURNAMES = Picker(
    [
        ("王", 72),
        ("李", 72),
        ("张", 68),
        ("刘", 53),
        ("陈", 45),
        ("杨", 32),
        ("赵", 22),
        ("黄", 22),
        ("周", 18),
        ("吴", 18),
        ("徐", 13),
        ("孙", 13),
        ("胡", 11),
        ("朱", 11),
        ("高", 11),
        ("林", 10),
        ("何", 10),
        ("郭", 10),
        ("马", 10),
        ("罗", 8),
        ("梁", 8),
        ("宋", 7),
        ("郑", 7),
        ("谢", 6),
        ("韩", 6),
        ("唐", 6),
        ("冯", 6),
        ("于", 6),
        ("董", 5),
        ("萧", 5),
        ("程", 5),
        ("曹", 5),
        ("袁", 5),
        ("邓", 5),
        ("许", 5),
        ("傅", 4),
        ("沈", 4),
        ("曾", 4),
        ("彭", 4),
        ("吕", 4),
        ("苏", 4),
        ("卢", 4),
        ("蒋", 4),
        ("蔡", 4),
        ("贾", 3),
        ("丁", 3),
        ("魏", 3),
        ("薛", 3),
        ("叶", 3),
        ("阎", 3),
        ("余", 3),
        ("潘", 3),
        ("杜", 3),
        ("戴", 3),
        ("夏", 3),
        ("钟", 3),
        ("汪", 3),
        ("田", 3),
        ("任", 3),
        ("姜", 3),
        ("范", 3),
        ("方", 3),
        ("石", 3),
        ("姚", 3),
        ("谭", 2),
        ("廖", 2),
        ("邹", 2),
        ("熊", 2),
        ("金", 2),
        ("陆", 2),
        ("郝", 2),
        ("孔", 2),
        ("白", 2),
        ("崔", 2),
        ("康", 2),
        ("毛", 2),
        ("邱", 2),
        ("秦", 2),
        ("江", 2),
        ("史", 2),
        ("顾", 2),
        ("侯", 2),
        ("邵", 2),
        ("孟", 2),
        ("龙", 2),
        ("万", 2),
        ("段", 2),
        ("雷", 2),
        ("钱", 2),
        ("汤", 2),
        ("尹", 2),
        ("黎", 2),
        ("易", 2),
        ("常", 2),
        ("武", 2),
        ("乔", 2),
        ("贺", 2),
        ("赖", 2),
        ("龚", 2),
        ("文", 2),
        ("齐", 1),
        ("牛", 1),
        ("褚", 1),
        ("关", 1),
    ]
)

_MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文东海峰亮成博晨"
    "轩睿泽航铭昊天然嘉瑞德福永庆春生荣利胜祥宏振兴家坤彬世立新光晓洋锐恒达"
)
_FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀玲桂英慧巧美淑惠珠翠雅芝玉萍红月彩春菊兰凤洁梅琳素云莲真环雪荣爱"
    "香婷颖欣怡佳悦涵雨思梓萱琪晶璐瑶蕾薇丹宁楠倩露菲妍嘉晓燕"
)


def given_name(rng: random.Random, sex: str) -> str:
    pool = _MALE_CHARS if sex == "M" else _FEMALE_CHARS
    first = pool[int(rng.random() * len(pool))]
    if rng.random() < 0.3:
        return first
    return first + pool[int(rng.random() * len(pool))]


def person_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    return (surname or SURNAMES(rng)) + given_name(rng, sex)


# Transliterated given names and surnames for the few foreign nationals.
_FOREIGN_GIVEN = [
    "约翰",
    "玛丽亚",
    "安娜",
    "彼得",
    "大卫",
    "索菲亚",
    "伊万",
    "艾琳",
    "托马斯",
    "金敏",
    "朴秀",
    "阿里",
]
_FOREIGN_FAMILY = [
    "史密斯",
    "伊万诺娃",
    "米勒",
    "加西亚",
    "施密特",
    "佐藤",
    "铃木",
    "金",
    "朴",
    "汗",
    "杜邦",
    "罗西",
]


def foreign_name(rng: random.Random) -> str:
    return rng.choice(_FOREIGN_GIVEN) + "·" + rng.choice(_FOREIGN_FAMILY)


# fmt: off
_MOBILE_PREFIXES = [str(n) for n in (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159, 166,
    173, 175, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 193, 195, 198, 199,
)]
# fmt: on


def mobile(rng: random.Random) -> str:
    return _MOBILE_PREFIXES[int(rng.random() * len(_MOBILE_PREFIXES))] + f"{int(rng.random() * 1e8):08d}"


ETHNICITY = Picker(
    [
        ("汉族", 955),
        ("回族", 18),
        ("满族", 14),
        ("蒙古族", 5),
        ("朝鲜族", 3),
        ("壮族", 2),
        ("土家族", 1),
        ("苗族", 1),
        ("藏族", 1),
    ]
)

# Place-name pieces for synthetic communities, villages, estates and roads.
PLACE_PREFIXES = [
    "运河",
    "玉带",
    "新华",
    "北苑",
    "玉桥",
    "潞河",
    "通惠",
    "八里",
    "梨园",
    "云景",
    "翠屏",
    "京贸",
    "华远",
    "金侨",
    "怡乐",
    "上营",
    "新城",
    "东关",
    "西营",
    "南关",
    "杨庄",
    "果园",
    "九棵",
    "临河",
    "复兴",
    "文旅",
    "紫荆",
    "月季",
    "荔景",
    "翠景",
    "柳岸",
    "锦绣",
    "和平",
    "友谊",
    "滨河",
    "东方",
    "朝晖",
    "春晖",
    "银杏",
    "嘉和",
    "长桥",
    "万盛",
    "天时",
    "星河",
    "龙旺",
    "枫景",
    "丽景",
    "明珠",
    "盛世",
    "御景",
]
COMMUNITY_SUFFIXES = ["社区", "里社区", "园社区", "苑社区", "东社区", "西社区", "北社区", "南社区"]
VILLAGE_ROOTS = ["各庄", "家务", "辛庄", "营", "屯", "庄", "家湾", "庄户", "坨", "店", "堡", "村"]
ESTATE_SUFFIXES = ["小区", "家园", "花园", "嘉园", "苑", "新村", "公寓", "雅居", "里", "南里", "北里"]
ROAD_SUFFIXES = ["路", "街", "大街", "西路", "东路", "北路", "南路", "胡同"]

SHOP_KINDS = [
    "便利店",
    "水果店",
    "理发店",
    "餐馆",
    "超市",
    "药店",
    "五金店",
    "干洗店",
    "早点铺",
    "面馆",
    "烟酒店",
    "蔬菜店",
    "电动车行",
    "文具店",
    "母婴店",
    "花店",
    "快递驿站",
    "修车铺",
]
ENTERPRISE_KINDS = [
    "物流",
    "科技",
    "建材",
    "商贸",
    "印刷",
    "食品",
    "机械",
    "餐饮管理",
    "文化传媒",
    "装饰工程",
    "汽车服务",
    "环保科技",
    "家具",
    "医药",
    "电子",
]
BRANDS = [
    "华通",
    "京通",
    "运通",
    "恒信",
    "鑫源",
    "盛达",
    "瑞丰",
    "兴华",
    "宏达",
    "金桥",
    "天瑞",
    "永安",
    "博远",
    "嘉禾",
    "同心",
    "安泰",
    "中盛",
    "汇丰源",
    "新潞",
    "通达",
]
OCCUPATIONS = Picker(
    [
        ("公司职员", 30),
        ("个体经营", 10),
        ("工人", 12),
        ("务农", 6),
        ("教师", 3),
        ("医护人员", 3),
        ("司机", 4),
        ("公务员", 2),
        ("自由职业", 6),
        ("服务业", 10),
        ("快递员", 2),
        ("建筑工人", 3),
    ]
)

# CJ/T 214 classes → (subclasses, owner department).
OBJECT_CLASSES: list[tuple[str, list[str], str]] = [
    (
        "01",
        ["上水井盖", "污水井盖", "雨水井盖", "电力井盖", "通信井盖", "消防栓", "路灯", "变压器箱"],
        "区城市管理委员会",
    ),
    (
        "02",
        ["交通信号灯", "交通标志牌", "公交站亭", "隔离护栏", "停车场", "路名牌", "过街天桥"],
        "区交通委员会",
    ),
    ("03", ["公共厕所", "垃圾箱", "垃圾分类驿站", "广告牌匾", "报刊亭"], "区城市管理委员会"),
    ("04", ["古树名木", "行道树", "绿地", "花坛", "街头座椅"], "区园林绿化局"),
    ("05", ["宣传栏", "人防工事", "房屋"], "区住房和城乡建设委员会"),
    ("06", ["监控电子眼", "健身设施", "公共自行车停放点", "充电桩"], "区城市管理委员会"),
]
# Relative frequency of each class in a grid: utilities and street furniture dominate.
OBJECT_CLASS_WEIGHTS = Picker([("01", 40), ("02", 15), ("03", 20), ("04", 12), ("05", 5), ("06", 8)])

GRID_DUTIES = (
    "负责网格内人口、房屋、单位等基础信息采集更新；每日巡查，排查矛盾纠纷和安全隐患；"
    "走访重点人群；受理居民诉求并及时上报；宣传政策，提供便民服务。"
)
