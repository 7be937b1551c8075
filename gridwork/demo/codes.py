"""Synthetic national codes: GB 11643 resident ID numbers and GB 32100 unified social credit codes.

Both are valid by construction (check characters from gridwork.core.validators) and unique
within one build; neither is drawn from any real register.
"""

from __future__ import annotations

import datetime as dt
import random

from gridwork.core.validators import credit_code_check_char, resident_id_check_char

# 500 sequence slots per (birth date, sex) in one region: the 3-digit sequence is 2·slot + sex bit.
_SLOTS = 500
# Coprime to 500, so slot = (k·STRIDE + offset) mod 500 visits every slot once for k = 0..499.
_STRIDE = 197


class ResidentIds:
    """Hands out unique 18-character resident ID numbers of one region code."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.used: dict[tuple[int, str], int] = {}

    def make(self, birth: dt.date, sex: str) -> tuple[str, dt.date]:
        """An ID number for the birth date and sex; a full day moves the birth date one day back."""
        ordinal = birth.toordinal()
        while True:
            key = (ordinal, sex)
            k = self.used.get(key, 0)
            if k < _SLOTS:
                break
            ordinal -= 1
        self.used[key] = k + 1
        slot = (k * _STRIDE + ordinal * 31) % _SLOTS
        seq = slot * 2 + (1 if sex == "M" else 0)
        day = dt.date.fromordinal(ordinal)
        first17 = f"{self.region}{day:%Y%m%d}{seq:03d}"
        return first17 + resident_id_check_char(first17), day


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Letters allowed in a credit code (no I, O, Z, S, V), so the whole code stays in its alphabet.
_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Registration authority and organisation type (positions 1–2) by organisation kind.
CREDIT_PREFIX = {
    "enterprise": "91",  # industry and commerce: enterprise
    "property": "91",
    "shop": "92",  # industry and commerce: individual business
    "school": "12",  # institutional staffing: public institution
    "public": "12",
    "social": "51",  # civil affairs: social group
}


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


class CreditCodes:
    """Hands out unique unified social credit codes registered in one county."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.used: set[str] = set()

    def make(self, rng: random.Random, kind: str) -> str:
        prefix = CREDIT_PREFIX.get(kind, "91")
        while True:
            if prefix.startswith("9"):
                # Codes issued since 2015 carry "MA" and a letter-digit body.
                body = "MA0" + "".join(_BODY_CHARS[int(rng.random() * 31)] for _ in range(5))
            else:
                body = f"{int(rng.random() * 1e8):08d}"
            first17 = prefix + self.region + body + _org_code_check(body)
            code = first17 + credit_code_check_char(first17)
            if code not in self.used:
                self.used.add(code)
                return code
