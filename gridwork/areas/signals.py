"""What the area tree tells the apps above it (which it does not import)."""

from django.dispatch import Signal

# A grid's boundary changed, inside the transaction that changed it: records placed by their point
# (buildings) are reassigned by receivers in that same transaction. Arguments: actor, bounds (the
# box of the old and new shapes: min_lon, min_lat, max_lon, max_lat).
grid_boundary_changed = Signal()
