"""The signals of the case timeline, each sent once per entry with case_id, event_id, action,
to_status and the entry itself (`event`).

- `case_event_written`: inside the transaction that writes the entry, for work that must commit
  or roll back with it (queueing a background task in the database: an outbox).
- `case_event`: after that transaction commits, for what must only follow a committed change.
"""

from __future__ import annotations

from django.dispatch import Signal

case_event_written = Signal()
case_event = Signal()
