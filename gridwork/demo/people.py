"""Households and the people in them: composition, ages, ID numbers, names and key-people tags.

Everything is drawn from the builder's one random.Random, in a fixed order, so a seed gives the
same people. Ages are counted back from a fixed reference date, never from today.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from gridwork.demo import vocab
from gridwork.demo.codes import ResidentIds
from gridwork.registry import choices as c
from gridwork.registry.models import Person, PersonTag

Row = dict[str, object]

REFERENCE_DATE = dt.date(2025, 1, 1)
_REF_ORDINAL = REFERENCE_DATE.toordinal()

# Household sizes (people) and their shares; the mean is close to DESIGN's 2.5 people per household.
_SIZES = vocab.Picker([("1", 24), ("2", 31), ("3", 24), ("4", 12), ("5", 6), ("6", 3)])
MAX_SIZE = 9


def household_sizes(rng: random.Random, households: int, people: int) -> list[int]:
    """Sizes for the households of one grid that add up to exactly `people`."""
    if not households <= people <= MAX_SIZE * households:
        raise ValueError(f"{people} people do not fit in {households} households")
    sizes = [int(_SIZES(rng)) for _ in range(households)]
    diff = sum(sizes) - people
    while diff > 0:
        i = int(rng.random() * households)
        if sizes[i] > 1:
            sizes[i] -= 1
            diff -= 1
    while diff < 0:
        i = int(rng.random() * households)
        if sizes[i] < MAX_SIZE:
            sizes[i] += 1
            diff += 1
    return sizes


@dataclass(frozen=True)
class Member:
    relation: str
    sex: str
    age: int
    surname: str


def compose(rng: random.Random, size: int) -> list[Member]:
    """Who lives in a household of this size: the head first, then spouse, parents, children."""
    head_sex = "M" if rng.random() < 0.65 else "F"
    surname = vocab.SURNAMES(rng)
    if size == 1:
        draw = rng.random()
        age = (
            rng.randint(20, 40) if draw < 0.4 else rng.randint(41, 64) if draw < 0.6 else rng.randint(65, 95)
        )
        return [Member(c.Relation.HEAD, head_sex, age, surname)]
    has_spouse = rng.random() < (0.75 if size == 2 else 0.9)
    rest = size - 1 - has_spouse
    if size == 2 and has_spouse:
        age = rng.randint(24, 90)
    elif rest >= 3:
        age = rng.randint(48, 75)  # room for grown children and grandchildren
    else:
        age = rng.randint(28, 62)
    members = [Member(c.Relation.HEAD, head_sex, age, surname)]
    if has_spouse:
        other = "F" if head_sex == "M" else "M"
        members.append(
            Member(c.Relation.SPOUSE, other, max(20, age + rng.randint(-5, 5)), vocab.SURNAMES(rng))
        )
    child_surname = surname if head_sex == "M" or not has_spouse else members[1].surname
    if rest and age < 50 and rng.random() < 0.3:
        # A parent of the head lives with the family.
        rest -= 1
        members.append(
            Member(
                c.Relation.PARENT,
                "M" if rng.random() < 0.4 else "F",
                min(98, age + rng.randint(22, 34)),
                surname,
            )
        )
    children = min(rest, 2 if rest <= 3 else 3)
    for _ in range(children):
        child_age = max(0, age - rng.randint(22, 36))
        members.append(
            Member(c.Relation.CHILD, "M" if rng.random() < 0.52 else "F", child_age, child_surname)
        )
    for _ in range(rest - children):
        members.append(
            Member(
                c.Relation.GRANDCHILD,
                "M" if rng.random() < 0.52 else "F",
                max(0, age - rng.randint(48, 62)),
                child_surname,
            )
        )
    return members


def _education(rng: random.Random, age: int) -> str:
    E = c.Education
    if age < 6:
        return ""
    if age < 12:
        return E.PRIMARY
    if age < 15:
        return E.JUNIOR
    if age < 18:
        return E.SENIOR
    draw = rng.random()
    if age >= 60:
        steps = (
            (0.12, E.NONE),
            (0.45, E.PRIMARY),
            (0.78, E.JUNIOR),
            (0.93, E.SENIOR),
            (0.97, E.COLLEGE),
            (1.0, E.BACHELOR),
        )
    elif age >= 35:
        steps = (
            (0.08, E.PRIMARY),
            (0.40, E.JUNIOR),
            (0.65, E.SENIOR),
            (0.80, E.COLLEGE),
            (0.97, E.BACHELOR),
            (1.0, E.POSTGRADUATE),
        )
    else:
        steps = (
            (0.12, E.JUNIOR),
            (0.32, E.SENIOR),
            (0.55, E.COLLEGE),
            (0.90, E.BACHELOR),
            (1.0, E.POSTGRADUATE),
        )
    for limit, value in steps:
        if draw < limit:
            return value
    return steps[-1][1]


def _work(rng: random.Random, age: int, sex: str, rural: bool) -> str:
    if age < 6:
        return "学龄前儿童"
    if age < 19:
        return "学生"
    if age >= 60 or (sex == "F" and age >= 55):
        return "务农" if rural and rng.random() < 0.3 else "退休"
    if rural and rng.random() < 0.35:
        return "务农"
    return vocab.OCCUPATIONS(rng)


def _political(rng: random.Random, age: int) -> str:
    P = c.PoliticalStatus
    if age < 14:
        return P.MASSES
    draw = rng.random()
    if age >= 18:
        # ~9.6 % of adults, so about 8 % of everyone (children included) are party members.
        if draw < 0.096:
            return P.PARTY_MEMBER
        if draw < 0.099 and age < 45:
            return P.PROBATIONARY
        if draw < 0.101:
            return P.OTHER_PARTY
    if age <= 28 and draw > 0.75:
        return P.LEAGUE_MEMBER
    return P.MASSES


@dataclass(frozen=True)
class TagRule:
    """Who may carry a tag and how many of them do."""

    min_age: int
    max_age: int
    rate: float
    sex: str = ""
    rural_only: bool = False


# Rates among the people a rule admits; set so the totals look like a real district's register.
TAG_RULES: dict[str, TagRule] = {
    "disabled": TagRule(0, 120, 0.016),
    "left_behind_child": TagRule(0, 15, 0.06, rural_only=True),
    "left_behind_elderly": TagRule(60, 120, 0.05, rural_only=True),
    "veteran": TagRule(22, 120, 0.04, sex="M"),
    "unemployed": TagRule(18, 59, 0.02),
    "released_prisoner": TagRule(20, 75, 0.0008),
    "community_correction": TagRule(18, 70, 0.0005),
    "drug_user": TagRule(18, 65, 0.0003),
    "mental_illness": TagRule(15, 120, 0.0035),
    "petitioner": TagRule(30, 120, 0.0008),
}
# A group added to the database later still gets a few members.
DEFAULT_RULE = TagRule(18, 120, 0.002)
# Groups that follow from the household rather than from a rate.
HOUSEHOLD_GROUPS = {"elderly_alone", "empty_nester", "low_income", "extreme_poverty"}

_DETAILS = {
    "disabled": ["肢体残疾", "视力残疾", "听力残疾", "智力残疾", "言语残疾"],
    "low_income": ["城乡低保", "低保边缘"],
    "community_correction": ["缓刑", "假释"],
    "mental_illness": ["签订监护协议", "定期随访服药"],
}


@dataclass(frozen=True)
class GroupInfo:
    id: int
    code: str
    management: bool


class PeopleMaker:
    """Makes the rows (field → value) of people and their tags, primary keys included."""

    def __init__(
        self, rng: random.Random, county: str, groups: list[GroupInfo], new_id: Callable[[type], int]
    ) -> None:
        self.rng = rng
        self.ids = ResidentIds(county)
        self.passports: set[str] = set()
        self.new_id = new_id
        self.by_code = {g.code: g for g in groups}
        self.rules = [
            (g, TAG_RULES.get(g.code, DEFAULT_RULE)) for g in groups if g.code not in HOUSEHOLD_GROUPS
        ]

    def household(
        self, grid: str, household_id: int, size: int, rural: bool, floating: bool, officer_id: int | None
    ) -> tuple[list[Row], list[Row]]:
        rng = self.rng
        members = compose(rng, size)
        foreign = not rural and rng.random() < 0.002
        people: list[Row] = []
        for m in members:
            people.append(self._person(grid, household_id, m, rural, floating, foreign))
        tags = self._tags(grid, members, people, rural, officer_id)
        return people, tags

    def _person(
        self, grid: str, household_id: int, m: Member, rural: bool, floating: bool, foreign: bool
    ) -> Row:
        rng = self.rng
        birth = dt.date.fromordinal(_REF_ORDINAL - m.age * 365 - 1 - int(rng.random() * 364))
        if foreign:
            while True:
                number = (
                    "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXY") for _ in range(2))
                    + f"{rng.randrange(10**7):07d}"
                )
                if number not in self.passports:
                    self.passports.add(number)
                    break
            id_type, name, residence, ethnicity = (
                c.IdType.PASSPORT,
                vocab.foreign_name(rng),
                c.ResidenceType.FOREIGN,
                "",
            )
        else:
            number, birth = self.ids.make(birth, m.sex)
            id_type, name = c.IdType.RESIDENT_ID, m.surname + vocab.given_name(rng, m.sex)
            residence = c.ResidenceType.FLOATING if floating else c.ResidenceType.REGISTERED
            ethnicity = vocab.ETHNICITY(rng)
        status = c.PersonStatus.LIVING
        if m.relation != c.Relation.HEAD and rng.random() < 0.01:
            status = c.PersonStatus.MOVED_OUT
        return dict(
            id=self.new_id(Person),
            grid_id=grid,
            household_id=household_id,
            relation=m.relation,
            name=name,
            id_type=id_type,
            id_number=number,
            sex=m.sex,
            birth_date=birth,
            ethnicity=ethnicity,
            phone=vocab.mobile(rng) if m.age >= 14 else "",
            residence_type=residence,
            status=status,
            political_status=_political(rng, m.age),
            education=_education(rng, m.age),
            work=_work(rng, m.age, m.sex, rural),
            notes="",
        )

    def _tags(
        self, grid: str, members: list[Member], people: list[Row], rural: bool, officer_id: int | None
    ) -> list[Row]:
        rng = self.rng
        chosen: list[tuple[int, GroupInfo]] = []
        size = len(members)
        elderly = [i for i, m in enumerate(members) if m.age >= 60]
        if size == 1 and members[0].age >= 65 and "elderly_alone" in self.by_code:
            chosen.append((0, self.by_code["elderly_alone"]))
            if rng.random() < 0.02 and "extreme_poverty" in self.by_code:
                chosen.append((0, self.by_code["extreme_poverty"]))
        elif size == 2 and len(elderly) == 2 and "empty_nester" in self.by_code and rng.random() < 0.6:
            # An elderly couple counts as empty nesters when no child lives nearby, so not all of them.
            chosen.extend((i, self.by_code["empty_nester"]) for i in elderly)
        if rng.random() < 0.012 and "low_income" in self.by_code:
            chosen.extend((i, self.by_code["low_income"]) for i in range(size))
        for i, m in enumerate(members):
            for group, rule in self.rules:
                if (
                    rule.min_age <= m.age <= rule.max_age
                    and (not rule.sex or rule.sex == m.sex)
                    and (rural or not rule.rural_only)
                    and rng.random() < rule.rate
                ):
                    chosen.append((i, group))
        tags = []
        for i, group in chosen:
            if group.management:
                draw = rng.random()
                risk = (
                    c.RiskLevel.HIGH if draw < 0.1 else c.RiskLevel.MEDIUM if draw < 0.4 else c.RiskLevel.LOW
                )
            else:
                risk = c.RiskLevel.LOW
            details = _DETAILS.get(group.code)
            tags.append(
                dict(
                    id=self.new_id(PersonTag),
                    person_id=people[i]["id"],
                    group_id=group.id,
                    grid_id=grid,
                    since=REFERENCE_DATE - dt.timedelta(days=rng.randrange(30, 2000)),
                    until=None,
                    risk_level=risk,
                    officer_id=officer_id,
                    details=rng.choice(details) if details else "",
                )
            )
        return tags
