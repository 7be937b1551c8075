"""Code lists of the register."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident ID card")
    PASSPORT = "passport", _("passport")
    OTHER = "other", _("other document")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", pgettext_lazy("relation to the head of household", "parent")
    GRANDCHILD = "grandchild", _("grandchild")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("sibling")
    OTHER_RELATIVE = "relative", _("other relative")
    OTHER = "other", _("other")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("registered resident")
    FLOATING = "floating", _("floating population")
    FOREIGN = "foreign", _("foreign national")


class PersonStatus(models.TextChoices):
    LIVING = "living", _("living here")
    MOVED_OUT = "moved_out", _("moved out")
    DECEASED = "deceased", _("deceased")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")
    PROBATIONARY = "probationary", _("probationary CPC member")
    LEAGUE_MEMBER = "league_member", _("Youth League member")
    OTHER_PARTY = "other_party", _("member of another party")
    MASSES = "masses", _("ordinary citizen")


class Education(models.TextChoices):
    NONE = "none", _("no schooling")
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary / vocational")
    COLLEGE = "college", _("college")
    BACHELOR = "bachelor", _("bachelor")
    POSTGRADUATE = "postgraduate", _("postgraduate")


class HouseUse(models.TextChoices):
    OWNER_OCCUPIED = "owner", _("owner-occupied")
    RENTED = "rented", _("rented")
    COMMERCIAL = "commercial", _("commercial")
    VACANT = "vacant", _("vacant")


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    SHOP = "shop", _("shop")
    SCHOOL = "school", _("school")
    SOCIAL = "social", _("social organisation")
    PARTY = "party", _("party organisation")
    PROPERTY = "property", _("property-management company")
    PUBLIC = "public", _("public institution")


class ObjectClass(models.TextChoices):
    """CJ/T 214 major classes of urban components (部件)."""

    PUBLIC_UTILITIES = "01", _("public utilities")
    ROADS_TRAFFIC = "02", _("roads and traffic")
    CITY_APPEARANCE = "03", _("city appearance and environment")
    GREENING = "04", _("greening")
    HOUSES_LAND = "05", _("houses and land")
    OTHER = "06", _("other facilities")


class ObjectState(models.TextChoices):
    INTACT = "intact", _("intact")
    DAMAGED = "damaged", _("damaged")
    LOST = "lost", _("lost")
    OCCUPIED = "occupied", _("illegally occupied")
    REMOVED = "removed", _("removed")


class TagKind(models.TextChoices):
    SERVICE = "service", _("service group")
    MANAGEMENT = "management", _("management group")


class Sensitivity(models.IntegerChoices):
    NORMAL = 1, _("normal")
    SENSITIVE = 2, _("sensitive")
    HIGHLY_SENSITIVE = 3, _("highly sensitive")


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


# The 56 ethnic groups by GB/T 3304 number, used in the demo and the ethnicity pick list.
ETHNIC_GROUPS = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
