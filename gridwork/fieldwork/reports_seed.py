"""The seeded business lines, their counterparts and which case categories count under each.

Data, not code: the migration writes these rows once; a district may change the rows (there is no
editing page for them yet, as for the case categories).
Counterpart departments are the seed's department names (gridwork.cases.seed).
"""

from __future__ import annotations

from typing import Any

# (code, Chinese, English, counterpart department, counterpart role, category code prefixes)
LINES: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("family_planning", "计划生育", "Family planning", "卫生健康科", "", ()),
    ("subsistence", "低保救助", "Subsistence allowances", "民政和社会保障科", "", ("S0201", "S0202")),
    ("civil_affairs", "民政事务", "Civil affairs", "民政和社会保障科", "", ("S0203", "S0204", "S0205")),
    (
        "civilisation",
        "文明创建",
        "Civilisation creation",
        "",
        "street_staff",
        ("E01", "E02", "E03", "E05", "C"),
    ),
    ("work_safety", "安全生产", "Work safety", "安全生产办公室", "", ("S03", "E04")),
    (
        "stability",
        "综治维稳",
        "Comprehensive management and stability",
        "司法所",
        "",
        ("S01", "S04", "S05"),
    ),
)


def seed_lines(line_model: Any, category_line_model: Any) -> None:
    for order, (code, zh, en, department, role, prefixes) in enumerate(LINES, start=1):
        line, _ = line_model.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "order": order,
                "counterpart_department": department,
                "counterpart_role": role,
            },
        )
        for prefix in prefixes:
            category_line_model.objects.update_or_create(prefix=prefix, defaults={"line": line})
