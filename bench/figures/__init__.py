"""The figures, in the order they run: each is a module with KEY, TITLE, NEEDS_SERVER and run(ctx).

The district build (figure 6) comes first because every other figure reads the district it makes.
A new figure is one module added to this list.
"""

from __future__ import annotations

from types import ModuleType

from bench.figures import (
    api_load,
    demo_build,
    field_work,
    home_pages,
    import_csv,
    import_writes,
    list_pages,
    mixed,
    point_in_grid,
    read_log,
    stalls,
)

FIGURES: list[ModuleType] = [
    demo_build,
    point_in_grid,
    home_pages,
    list_pages,
    read_log,
    field_work,
    api_load,
    mixed,
    stalls,  # after mixed: it reads mixed's traces
    import_csv,
    import_writes,  # last: the people it imports stay
]
