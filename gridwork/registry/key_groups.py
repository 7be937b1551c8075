"""The standard key-people groups (DESIGN §3).

Each row: code, Chinese name, English name, kind, sensitivity, visit interval in days.
"""

KEY_GROUPS = [
    ("elderly_alone", "独居老人", "elderly living alone", "service", 1, 7),
    ("empty_nester", "空巢老人", "empty nesters", "service", 1, 14),
    ("disabled", "残疾人", "people with disabilities", "service", 2, 30),
    ("low_income", "低保户", "low-income (subsistence allowance)", "service", 2, 30),
    ("extreme_poverty", "特困人员", "extreme poverty", "service", 2, 14),
    ("left_behind_child", "留守儿童", "left-behind children", "service", 2, 30),
    ("left_behind_elderly", "留守老人", "left-behind elderly", "service", 1, 14),
    ("veteran", "退役军人", "veterans", "service", 1, 90),
    ("unemployed", "失业人员", "unemployed", "service", 1, 60),
    ("released_prisoner", "刑满释放人员", "released prisoners", "management", 3, 30),
    ("community_correction", "社区矫正人员", "community corrections", "management", 3, 7),
    ("drug_user", "吸毒人员", "drug users", "management", 3, 14),
    ("mental_illness", "严重精神障碍患者", "severe mental illness", "management", 3, 14),
    ("petitioner", "信访人员", "petitioners", "management", 2, 30),
]
