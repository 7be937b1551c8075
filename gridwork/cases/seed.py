"""The seed category tree and the official holiday schedules, loaded by data migrations.

Category codes: E = city-management events, C = components (部件, CJ/T 214 major classes 01–06),
S = social governance. A leaf is (code, Chinese name, English name, default track, department, limits);
limits only where they differ from machine.DEFAULT_LIMITS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

URBAN = "综合行政执法队"
MUNICIPAL = "市政管理所"
SANITATION = "环境卫生所"
GREENING = "园林绿化所"
HOUSING = "住房和城乡建设科"
TRAFFIC = "交通管理科"
EMERGENCY = "应急管理办公室"
POLICE = "派出所"
JUSTICE = "司法所"
CIVIL = "民政和社会保障科"
PETITIONS = "信访办公室"
SAFETY = "安全生产办公室"
PLANNING = "规划和自然资源所"

R, C, E, A = "routine", "coordination", "emergency", "approval"
QUICK = {"handle": {"amount": 2, "unit": "days"}}
URGENT = {"emergency": {"amount": 2, "unit": "hours"}, "total": {"amount": 8, "unit": "hours"}}

# (code, zh, en, children or leaf spec)
CATEGORY_TREE: list[tuple[str, str, str, list[tuple[Any, ...]]]] = [
    (
        "E",
        "事件",
        "Events",
        [
            (
                "E01",
                "市容环境",
                "City appearance",
                [
                    ("E0101", "暴露垃圾", "Exposed rubbish", R, SANITATION, {}),
                    ("E0102", "积存垃圾渣土", "Accumulated rubbish and muck", C, SANITATION, QUICK),
                    ("E0103", "道路不洁", "Dirty road", R, SANITATION, {}),
                    ("E0104", "乱堆物堆料", "Illegal piling of materials", C, URBAN, {}),
                    ("E0105", "焚烧垃圾树叶", "Burning rubbish or leaves", C, URBAN, QUICK),
                ],
            ),
            (
                "E02",
                "宣传广告",
                "Advertising",
                [
                    ("E0201", "非法小广告", "Illegal small advertisements", R, URBAN, {}),
                    ("E0202", "违章张贴悬挂", "Unauthorised posters and banners", C, URBAN, {}),
                    ("E0203", "户外广告破损", "Damaged outdoor advertising", C, URBAN, {}),
                ],
            ),
            (
                "E03",
                "施工管理",
                "Construction",
                [
                    ("E0301", "施工扰民", "Construction disturbing residents", C, URBAN, QUICK),
                    ("E0302", "工地扬尘", "Construction dust", C, URBAN, QUICK),
                    ("E0303", "道路遗撒", "Spillage on the road", C, SANITATION, QUICK),
                    ("E0304", "违法建设", "Illegal construction", C, PLANNING, {}),
                ],
            ),
            (
                "E04",
                "突发事件",
                "Emergencies",
                [
                    ("E0401", "火灾", "Fire", E, EMERGENCY, URGENT),
                    ("E0402", "路面塌陷", "Road collapse", E, MUNICIPAL, URGENT),
                    ("E0403", "自来水管破裂", "Burst water main", E, MUNICIPAL, URGENT),
                    ("E0404", "燃气泄漏", "Gas leak", E, EMERGENCY, URGENT),
                    ("E0405", "群体性事件", "Mass incident", E, POLICE, URGENT),
                ],
            ),
            (
                "E05",
                "街面秩序",
                "Street order",
                [
                    ("E0501", "无照经营游商", "Unlicensed street vending", C, URBAN, QUICK),
                    ("E0502", "店外经营", "Business outside the shop", R, URBAN, {}),
                    ("E0503", "占道经营", "Occupying the road for business", C, URBAN, QUICK),
                    ("E0504", "非法停车", "Illegal parking", C, TRAFFIC, QUICK),
                ],
            ),
        ],
    ),
    (
        "C",
        "部件",
        "Components",
        [
            (
                "C01",
                "公用设施",
                "Public utilities",
                [
                    ("C0101", "上水井盖", "Water supply manhole cover", C, MUNICIPAL, QUICK),
                    ("C0102", "污水井盖", "Sewage manhole cover", C, MUNICIPAL, QUICK),
                    ("C0103", "雨水井盖", "Storm drain cover", C, MUNICIPAL, QUICK),
                    ("C0104", "消防栓", "Fire hydrant", C, EMERGENCY, {}),
                    ("C0105", "路灯", "Street lamp", C, MUNICIPAL, {}),
                ],
            ),
            (
                "C02",
                "道路交通",
                "Roads and traffic",
                [
                    ("C0201", "交通信号灯", "Traffic light", C, TRAFFIC, QUICK),
                    ("C0202", "交通标志牌", "Traffic sign", C, TRAFFIC, {}),
                    ("C0203", "道路护栏", "Road guardrail", C, MUNICIPAL, {}),
                    ("C0204", "公交站亭", "Bus shelter", C, TRAFFIC, {}),
                ],
            ),
            (
                "C03",
                "市容环境",
                "City appearance and environment",
                [
                    ("C0301", "公共厕所", "Public toilet", C, SANITATION, {}),
                    ("C0302", "垃圾箱", "Litter bin", R, SANITATION, {}),
                    ("C0303", "广告牌匾", "Signboard", C, URBAN, {}),
                ],
            ),
            (
                "C04",
                "园林绿化",
                "Greening",
                [
                    ("C0401", "古树名木", "Old and famous tree", C, GREENING, {}),
                    ("C0402", "行道树", "Street tree", C, GREENING, {}),
                    ("C0403", "绿地", "Green space", C, GREENING, {}),
                ],
            ),
            (
                "C05",
                "房屋土地",
                "Houses and land",
                [
                    ("C0501", "宣传栏", "Notice board", R, URBAN, {}),
                    ("C0502", "危旧房屋", "Dilapidated house", C, HOUSING, {}),
                    ("C0503", "空闲地", "Vacant land", C, PLANNING, {}),
                ],
            ),
            (
                "C06",
                "其他设施",
                "Other facilities",
                [
                    ("C0601", "监控电子眼", "Surveillance camera", C, POLICE, {}),
                    ("C0602", "健身设施", "Fitness equipment", C, CIVIL, {}),
                ],
            ),
        ],
    ),
    (
        "S",
        "社会治理",
        "Social governance",
        [
            (
                "S01",
                "矛盾纠纷",
                "Disputes",
                [
                    ("S0101", "邻里纠纷", "Neighbour dispute", C, JUSTICE, {}),
                    ("S0102", "物业纠纷", "Property-management dispute", C, HOUSING, {}),
                    ("S0103", "劳资纠纷", "Wage dispute", C, CIVIL, {}),
                    ("S0104", "家庭纠纷", "Family dispute", R, JUSTICE, {}),
                ],
            ),
            (
                "S02",
                "民生诉求",
                "Livelihood requests",
                [
                    ("S0201", "最低生活保障申请", "Subsistence allowance application", A, CIVIL, {}),
                    ("S0202", "临时救助申请", "Temporary assistance application", A, CIVIL, {}),
                    ("S0203", "残疾人补贴申请", "Disability allowance application", A, CIVIL, {}),
                    ("S0204", "养老服务需求", "Elderly care request", C, CIVIL, {}),
                    ("S0205", "就业帮扶", "Employment help", C, CIVIL, {}),
                ],
            ),
            (
                "S03",
                "安全隐患",
                "Safety hazards",
                [
                    ("S0301", "消防隐患", "Fire hazard", C, EMERGENCY, QUICK),
                    ("S0302", "燃气安全隐患", "Gas safety hazard", C, SAFETY, QUICK),
                    ("S0303", "电动车违规充电", "Unsafe e-bike charging", R, SAFETY, {}),
                    ("S0304", "生产经营安全隐患", "Work-safety hazard", C, SAFETY, {}),
                ],
            ),
            (
                "S04",
                "治安问题",
                "Public security",
                [
                    ("S0401", "可疑人员", "Suspicious person", C, POLICE, QUICK),
                    ("S0402", "盗窃线索", "Theft lead", C, POLICE, {}),
                    ("S0403", "出租房屋治安", "Rental housing security", C, POLICE, {}),
                ],
            ),
            (
                "S05",
                "信访",
                "Letters and visits",
                [
                    ("S0501", "来信", "Letter", C, PETITIONS, {}),
                    ("S0502", "来访", "Visit", C, PETITIONS, {}),
                    ("S0503", "网上信访", "Online petition", C, PETITIONS, {}),
                ],
            ),
        ],
    ),
]


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


# The State Council General Office's notices on public holidays and make-up working days:
# (holiday name, days off, make-up working days). 2025: published November 2024; 2026: November 2025.
HOLIDAY_SCHEDULES: dict[int, list[tuple[str, list[dt.date], list[dt.date]]]] = {
    2025: [
        ("元旦", [_d(2025, 1, 1)], []),
        ("春节", _days(_d(2025, 1, 28), _d(2025, 2, 4)), [_d(2025, 1, 26), _d(2025, 2, 8)]),
        ("清明节", _days(_d(2025, 4, 4), _d(2025, 4, 6)), []),
        ("劳动节", _days(_d(2025, 5, 1), _d(2025, 5, 5)), [_d(2025, 4, 27)]),
        ("端午节", _days(_d(2025, 5, 31), _d(2025, 6, 2)), []),
        ("国庆节、中秋节", _days(_d(2025, 10, 1), _d(2025, 10, 8)), [_d(2025, 9, 28), _d(2025, 10, 11)]),
    ],
    2026: [
        ("元旦", _days(_d(2026, 1, 1), _d(2026, 1, 3)), [_d(2026, 1, 4)]),
        ("春节", _days(_d(2026, 2, 15), _d(2026, 2, 23)), [_d(2026, 2, 14), _d(2026, 2, 28)]),
        ("清明节", _days(_d(2026, 4, 4), _d(2026, 4, 6)), []),
        ("劳动节", _days(_d(2026, 5, 1), _d(2026, 5, 5)), [_d(2026, 5, 9)]),
        ("端午节", _days(_d(2026, 6, 19), _d(2026, 6, 21)), []),
        ("中秋节", _days(_d(2026, 9, 25), _d(2026, 9, 27)), []),
        ("国庆节", _days(_d(2026, 10, 1), _d(2026, 10, 7)), [_d(2026, 9, 20), _d(2026, 10, 10)]),
    ],
}


def calendar_rows(year: int) -> list[tuple[dt.date, bool, str]]:
    """(date, is_workday, name) for every exception of the year."""
    rows: list[tuple[dt.date, bool, str]] = []
    for name, off, makeup in HOLIDAY_SCHEDULES[year]:
        rows += [(day, False, name) for day in off]
        rows += [(day, True, f"{name}调休上班") for day in makeup]
    return rows


def seed_categories(category_model: Any) -> None:
    """Create the tree with a (historical or current) Category model; existing codes are left alone."""

    def walk(nodes: list[tuple[Any, ...]], parent: Any) -> None:
        for node in nodes:
            code, zh, en = node[0], node[1], node[2]
            if len(node) == 4:
                obj, _ = category_model.objects.get_or_create(
                    code=code, defaults={"name_zh": zh, "name_en": en, "parent": parent}
                )
                walk(node[3], obj)
            else:
                track, department, limits = node[3], node[4], node[5]
                category_model.objects.get_or_create(
                    code=code,
                    defaults={
                        "name_zh": zh,
                        "name_en": en,
                        "parent": parent,
                        "default_track": track,
                        "department": department,
                        "limits": limits,
                    },
                )

    walk(CATEGORY_TREE, None)


def seed_calendar(day_model: Any, years: list[int] | None = None) -> None:
    for year in years or sorted(HOLIDAY_SCHEDULES):
        for day, is_workday, name in calendar_rows(year):
            day_model.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "name": name})
