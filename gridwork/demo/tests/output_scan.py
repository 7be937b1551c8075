"""What the output scan looks for, and how it reads each kind of output as text.

The secrets come from the database, not from a list written here: every person's ID number and
phone, every user's phone, every case reporter's phone and every organisation's contact phone.
Beside each resident ID number, its birth date (the digits 7 to 14), which a page could show
beside the mask and so undo it: searched as the digits and, where it cannot be taken for the date
of something the register records (a key-group tag's start, a case), as a written date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

import openpyxl

from gridwork.accounts.models import User
from gridwork.cases.models import Case
from gridwork.registry.models import Organization, Person

RESIDENT_ID = re.compile(r"\d{17}[\dXx]")
# Runs of digits (an ID number may end in X) not inside a longer run or a word.
DIGIT_RUN = re.compile(r"(?<![\w])\d{7,}[Xx]?(?![\w])")
# A mobile number written in groups, as mask_free_text also reads them.
GROUPED = re.compile(r"(?<!\d)1\d{2}[ \-]\d{4}[ \-]\d{4}(?!\d)")
WRITTEN_DATE = re.compile(r"(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})(?!\d)")
# Birth dates this recent could be another record's date (the demo's tags start up to five and a
# half years back, its cases within the year): searched as digits only.
RECENT = dt.timedelta(days=10 * 366)


@dataclass
class Secrets:
    """Full values that no output may hold, each with what it is (for the failure message)."""

    numbers: dict[str, str] = field(default_factory=dict)  # ID numbers and phones, upper case
    births: dict[str, str] = field(default_factory=dict)  # YYYYMMDD of resident ID numbers
    written_births: dict[str, str] = field(default_factory=dict)  # the same, old enough to search as dates

    @classmethod
    def from_database(cls, today: dt.date) -> Secrets:
        found = cls()
        people = Person.objects.values_list("pk", "id_number", "phone", "birth_date")
        for pk, id_number, phone, birth in people:
            found.numbers[id_number.upper()] = f"person {pk} ID number"
            if phone:
                found.numbers[phone] = f"person {pk} phone"
            if RESIDENT_ID.fullmatch(id_number):
                middle = id_number[6:14]
                found.births[middle] = f"person {pk} birth date (ID number digits 7-14)"
                if birth is not None and today - birth > RECENT:
                    found.written_births[middle] = found.births[middle]
        phones = [
            ("user", User.objects.exclude(phone="").values_list("pk", "phone")),
            ("case reporter", Case.objects.exclude(reporter_phone="").values_list("pk", "reporter_phone")),
            (
                "organisation",
                Organization.objects.exclude(contact_phone="").values_list("pk", "contact_phone"),
            ),
        ]
        for label, rows in phones:
            for pk, phone in rows:
                found.numbers[phone] = f"{label} {pk} phone"
        return found

    def leaks(self, text: str) -> list[str]:
        """Every secret found in the text, as 'what: the matched text'."""
        hits = []
        for match in DIGIT_RUN.finditer(text):
            run = match.group(0).upper()
            what = self.numbers.get(run) or self.births.get(run)
            if what:
                hits.append(f"{what}: {run}")
        for match in GROUPED.finditer(text):
            digits = re.sub(r"[ \-]", "", match.group(0))
            if digits in self.numbers:
                hits.append(f"{self.numbers[digits]}: {match.group(0)}")
        for match in WRITTEN_DATE.finditer(text):
            year, month, day = match.groups()
            compact = f"{year}{int(month):02d}{int(day):02d}"
            if compact in self.written_births:
                hits.append(f"{self.written_births[compact]}: {match.group(0)}")
        return hits


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet and the document's properties, one line per row."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    props = book.properties
    lines = [" ".join(str(v) for v in (props.title, props.subject, props.description, props.keywords) if v)]
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    book.close()
    return "\n".join(lines)


def csv_text(content: bytes) -> str:
    text = content.decode("utf-8-sig")
    return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))


def json_text(content: bytes) -> str:
    """JSON as its values would be written out (escapes undone, so a number cannot hide as \\u0031)."""
    return json.dumps(json.loads(content), ensure_ascii=False) if content.strip() else ""
