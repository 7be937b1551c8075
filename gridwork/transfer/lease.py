"""One process's claim to write an import job, renewed in each of its write transactions.

An import writes in many short transactions, so a process killed half-way leaves part of a
file in the register. The job then stays in status "writing" and its `alive_at` stops moving;
after `STALE_AFTER` another process takes the job over (`take_over`) and undoes what it wrote.
Each write transaction first renews the claim, checking that `alive_at` is still the value this
process wrote last: a process that was only slow finds the job taken and stops, so the two never
write the same job at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from gridwork.transfer.models import ImportJob

# A batch takes well under a second; a writer silent this long is gone.
STALE_AFTER = dt.timedelta(minutes=10)


class LeaseLost(Exception):
    """Another process took the job over: this one must stop writing it."""


class Lease:
    def __init__(self, job: ImportJob) -> None:
        self.job = job

    @classmethod
    def start(cls, job: ImportJob) -> Lease:
        """The job now writing, claimed by this process."""
        now = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITING, alive_at=now)
        job.status, job.alive_at = ImportJob.Status.WRITING, now
        return cls(job)

    @classmethod
    def take_over(cls, job: ImportJob) -> Lease | None:
        """The claim to a job whose writer has been silent past STALE_AFTER, or None."""
        now = timezone.now()
        taken = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.WRITING, alive_at__lt=now - STALE_AFTER
        ).update(alive_at=now)
        if not taken:
            return None
        job.status, job.alive_at = ImportJob.Status.WRITING, now
        return cls(job)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction of the job's, which first renews the claim (or raises LeaseLost)."""
        now = timezone.now()
        with transaction.atomic():
            renewed = ImportJob.objects.filter(
                pk=self.job.pk, status=ImportJob.Status.WRITING, alive_at=self.job.alive_at
            ).update(alive_at=now)
            if not renewed:
                raise LeaseLost
            yield
        # Only once committed: a transaction rolled back leaves the claim as it was.
        self.job.alive_at = now

    def finish(self, status: str) -> None:
        """The job leaves "writing" for `status`, if still this process's."""
        with self.transaction():
            ImportJob.objects.filter(pk=self.job.pk).update(status=status)
        self.job.status = status
