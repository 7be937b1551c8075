"""Words of the demo's cases: titles, descriptions and the notes of each step, in Chinese.

All invented: what grid workers, residents and departments typically write about each kind of
case, combined at random with a place ("{place}": the building's estate and number). No real
person, address or event.
"""

from __future__ import annotations

import random

# Category code → (titles, details). A title or detail may name the place.
CATEGORY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "E0101": (
        ("{place}垃圾桶旁散落生活垃圾", "{place}楼下暴露垃圾未清运", "{place}绿地内有成袋垃圾"),
        ("约两三袋，已有异味", "保洁员尚未清理，居民反映影响通行", "疑似夜间有人随意丢弃"),
    ),
    "E0102": (
        ("{place}东侧堆积装修渣土", "{place}空地积存建筑垃圾"),
        ("体积约三立方米，未苫盖", "已堆放一周以上，刮风扬尘", "渣土占用消防通道一半宽度"),
    ),
    "E0103": (
        ("{place}门前路面油污", "{place}周边道路泥土遗撒"),
        ("雨后泥泞，行人易滑倒", "约二十米长的路段"),
    ),
    "E0104": (
        ("{place}楼道内乱堆杂物", "{place}单元门口堆放废旧家具", "{place}车棚内堆放纸箱"),
        ("堵塞疏散通道，存在消防隐患", "多次劝说未清理", "居民投诉影响出入"),
    ),
    "E0105": (
        ("{place}附近有人焚烧树叶", "{place}后空地焚烧垃圾"),
        ("烟雾较大，影响周边住户", "现场已劝止，需执法跟进"),
    ),
    "E0201": (
        ("{place}单元门张贴小广告", "{place}电线杆上喷涂办证广告"),
        ("面积较大，需铲除并刷白", "反复出现，建议加强巡查"),
    ),
    "E0202": (
        ("{place}外墙违规悬挂条幅", "{place}围墙张贴商业海报"),
        ("未经审批", "条幅已部分脱落，存在安全隐患"),
    ),
    "E0301": (
        ("{place}旁工地夜间施工", "{place}装修噪声扰民"),
        ("晚十点后仍在作业", "居民多次拨打热线", "未见夜间施工许可公示"),
    ),
    "E0302": (("{place}南侧工地扬尘", "{place}拆除作业未洒水"), ("裸土未覆盖，粉尘明显", "围挡缺失一段")),
    "E0304": (
        ("{place}顶层疑似私搭建筑", "{place}院内新建彩钢房"),
        ("约二十平方米，正在施工", "邻居反映遮挡采光", "已拍照留存，需规划部门认定"),
    ),
    "E0401": (
        ("{place}地下室冒烟", "{place}电动车起火"),
        ("已拨打119，居民已疏散", "火势已控制，需现场核查"),
    ),
    "E0403": (("{place}门前自来水管爆裂", "{place}小区主供水管漏水"), ("水流漫过路面", "周边三栋楼停水")),
    "E0404": (("{place}楼道闻到燃气味", "{place}底商燃气管道泄漏"), ("已关闭总阀并疏散", "燃气公司已通知")),
    "E0502": (("{place}底商店外摆卖", "{place}餐馆占用人行道摆桌"), ("占用盲道", "晚间尤为严重")),
    "E0503": (("{place}路口早市占道经营", "{place}门前流动摊贩占道"), ("高峰时段影响车辆通行", "摊位约十处")),
    "E0504": (
        ("{place}消防通道违停", "{place}出入口长期停放僵尸车"),
        ("车辆积灰，轮胎亏气，疑似废弃", "堵塞消防车通道"),
    ),
    "C0102": (("{place}污水井盖破损", "{place}路面井盖缺失"), ("已放置警示锥桶", "夜间行人易踩空")),
    "C0105": (("{place}路灯不亮", "{place}一排路灯夜间闪烁"), ("约五盏", "居民夜间出行不便")),
    "C0302": (("{place}垃圾箱破损", "{place}果皮箱倾倒"), ("箱体开裂", "需更换")),
    "C0402": (("{place}行道树倾斜", "{place}树枝压住电线"), ("大风后出现", "存在倒伏风险")),
    "C0501": (("{place}宣传栏玻璃破碎", "{place}宣传栏内容过期"), ("玻璃碎片散落", "需更新内容")),
    "C0602": (
        ("{place}健身器材损坏", "{place}儿童滑梯螺丝松动"),
        ("已张贴暂停使用提示", "老人反映使用不安全"),
    ),
    "S0101": (("{place}邻里漏水纠纷", "{place}楼上楼下噪声纠纷"), ("双方多次争吵", "需社区调解")),
    "S0102": (("{place}物业费与服务纠纷", "{place}停车管理纠纷"), ("业主代表反映", "涉及十余户")),
    "S0104": (("{place}一户家庭矛盾", "{place}赡养老人纠纷"), ("网格员已上门劝解", "当事人同意调解")),
    "S0201": (
        ("{place}居民申请最低生活保障", "{place}困难家庭申请低保"),
        ("家庭成员患重病，收入低于标准", "已收齐户口簿、收入证明等材料"),
    ),
    "S0202": (
        ("{place}居民申请临时救助", "{place}住户因病申请临时救助"),
        ("突发重病，医疗支出大", "材料齐全"),
    ),
    "S0203": (("{place}居民申请残疾人补贴", "{place}重度残疾人申请护理补贴"), ("持残疾人证", "已入户核实")),
    "S0204": (("{place}独居老人申请助餐服务", "{place}老人需要上门照护"), ("子女不在身边", "行动不便")),
    "S0301": (("{place}楼道私拉电线", "{place}灭火器过期"), ("存在消防隐患", "已告知物业")),
    "S0303": (("{place}居民楼道内给电动车充电", "{place}飞线充电"), ("多次劝导", "夜间充电，隐患较大")),
    "S0403": (("{place}出租房屋人员登记不全", "{place}群租房"), ("约八人合住", "未签订治安责任书")),
    "S0501": (("{place}居民来信反映小区加装电梯", "{place}居民来信反映噪声"), ("联名信", "请求协调")),
}

# Per track: the categories its cases are filed under, with weights (what a year brings most often).
TRACK_CATEGORIES: dict[str, tuple[tuple[str, int], ...]] = {
    "routine": (
        ("E0101", 6),
        ("E0201", 4),
        ("E0502", 3),
        ("C0302", 2),
        ("C0501", 1),
        ("S0104", 2),
        ("S0303", 3),
    ),
    "coordination": (
        ("E0104", 6),
        ("E0102", 3),
        ("E0105", 1),
        ("E0202", 2),
        ("E0301", 3),
        ("E0302", 2),
        ("E0304", 2),
        ("E0503", 3),
        ("E0504", 4),
        ("C0102", 2),
        ("C0105", 3),
        ("C0402", 2),
        ("C0602", 1),
        ("S0101", 2),
        ("S0102", 2),
        ("S0204", 1),
        ("S0301", 2),
        ("S0403", 1),
        ("S0501", 1),
    ),
    "emergency": (("E0401", 2), ("E0403", 2), ("E0404", 1)),
    "approval": (("S0201", 3), ("S0202", 2), ("S0203", 2)),
}

NOTES = {
    "resolve": ("已现场处置完毕", "已清理，恢复原状", "当场劝导，当事人已整改", "已协调保洁员清运"),
    "resolve_emergency": ("险情已排除，现场恢复正常", "抢修完成，已恢复供应", "已处置完毕，无人员伤亡"),
    "update": ("抢修人员已到场", "已设置警戒区域", "正在排查原因", "居民已妥善安置"),
    "handle": (
        "已派员现场处理完毕",
        "已责令当事人限期整改，现已整改",
        "已更换损坏设施",
        "已联系产权单位修复",
    ),
    "verify_fail": ("现场复核未整改到位", "问题反弹，仍有堆放"),
    "feedback": ("已电话告知居民处理结果，居民表示满意", "已上门反馈处理情况", "已短信告知处理结果"),
    "return": ("不属本部门职责，请重新派遣", "材料不全，请补充后再报"),
    "reject": ("经核实情况不属实", "重复上报，已有在办案件", "不属于受理范围"),
    "suspend": ("等待当事人提供材料", "需待天气条件允许后施工", "涉及产权争议，待确权"),
    "deny": ("家庭收入超过保障标准", "材料核实与申报不符"),
    "escalate": ("本级无法协调，请上级处理", "涉及多个部门，需街道统筹"),
    "extend": ("需协调多方，申请延期", "材料补充中，申请延长办理时限"),
}

RATING_COMMENTS = ("处理及时，很满意", "效率很高，谢谢网格员", "基本解决了", "处理较慢", "", "")


def pick_category(rng: random.Random, track: str) -> str:
    codes, weights = zip(*TRACK_CATEGORIES[track], strict=True)
    return rng.choices(codes, weights)[0]


def title_and_description(rng: random.Random, category: str, place: str) -> tuple[str, str]:
    titles, details = CATEGORY_WORDS[category]
    title = rng.choice(titles).format(place=place)
    description = f"{title}，{rng.choice(details)}。"
    return title[:200], description


def note(rng: random.Random, kind: str) -> str:
    return rng.choice(NOTES[kind])
