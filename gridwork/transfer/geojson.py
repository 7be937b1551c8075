"""GeoJSON import: grid boundaries (a new boundary version each) and building points.

A FeatureCollection whose features carry a "code" property:
- a Polygon or MultiPolygon feature is the new boundary of the area with that code, from the
  job's valid-from day, through `areas.services.set_boundary` (which moves buildings to the grid
  now containing them);
- a Point feature moves the building with that code to the point, through
  `registry.services.save_record`, so the building takes the grid that contains the point.

Boundaries go first, so points are placed with the new shapes. Each feature runs in its own
savepoint; any error and the whole file is rolled back (all or nothing). Errors name the feature
(its number in the file, from 1) and its code, in the job's language.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.areas.models import Area
from gridwork.areas.services import locate_grid, set_boundary
from gridwork.core.errors import NotFound
from gridwork.core.language import pick
from gridwork.registry.models import Building
from gridwork.registry.services import save_record, scoped
from gridwork.transfer.readers import SNIFF_BYTES, binary_kind

KIND = "geojson"
LABEL_ZH, LABEL_EN = "网格边界与楼栋坐标 (GeoJSON)", "grid boundaries and building points (GeoJSON)"
FORMATS = ("geojson", "json")
POLYGONS = {"Polygon", "MultiPolygon"}
CODE_HEADER = gettext_lazy("code")

Report = Callable[[int, str, str], None]


class GeoJSONRefused(Exception):
    """The file as a whole is not a usable FeatureCollection."""


def label(language: str) -> str:
    return pick(LABEL_ZH, LABEL_EN, language or "")


def load_features(path: Path) -> list[Any]:
    """The features of the file; GeoJSONRefused for anything but a FeatureCollection in JSON text."""
    with path.open("rb") as handle:
        what = binary_kind(handle.read(SNIFF_BYTES))
    if what is not None:
        raise GeoJSONRefused(_("This is not a GeoJSON text file: its content is %(what)s.") % {"what": what})
    try:
        with path.open("rb") as handle:
            document = json.load(handle)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GeoJSONRefused(_("The file is not valid JSON.")) from exc
    except RecursionError as exc:
        # "[[[[…" nested thousands deep: the parser gives up; so does the import, cleanly.
        raise GeoJSONRefused(_("The JSON in the file is nested too deeply.")) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise GeoJSONRefused(_("The file is not a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list):
        raise GeoJSONRefused(_("The FeatureCollection has no list of features."))
    return features


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return exc.messages


def _boundary(actor: Any, code: str, geometry: dict, valid_from: dt.date) -> None:
    if not Area.objects.filter(code=code).exists():
        raise ValidationError(_("No area has this code."))
    set_boundary(actor, code, geometry, valid_from=valid_from)


def _point(actor: Any, code: str, geometry: dict) -> None:
    coordinates = geometry.get("coordinates")
    if (
        not isinstance(coordinates, list)
        or len(coordinates) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in coordinates[:2])
    ):
        raise ValidationError(_("A point needs numeric longitude and latitude."))
    building = scoped(Building, actor).filter(code=code).first()
    if building is None:
        raise ValidationError(_("No building has this code in your area."))
    lon, lat = float(coordinates[0]), float(coordinates[1])
    if -180 <= lon <= 180 and -90 <= lat <= 90 and locate_grid(lon, lat) is None:
        # save_record keeps a building's old grid for a point outside every grid; an import of
        # points means to place buildings, so such a point is an error here.
        raise ValidationError(_("The point lies outside every grid."))
    save_record(actor, Building, {"lon": lon, "lat": lat}, pk=building.pk)


def run_features(
    actor: Any, features: list[Any], valid_from: dt.date, report: Report, tick: Callable[[], None]
) -> tuple[int, int]:
    """Apply every feature (boundaries first); (boundaries set, buildings moved). Errors go to report."""
    order = sorted(
        range(len(features)),
        key=lambda i: 0 if isinstance(features[i], dict) and _type(features[i]) in POLYGONS else 1,
    )
    boundaries = points = 0
    for position in order:
        feature = features[position]
        number = position + 1
        code = ""
        try:
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise ValidationError(_("This is not a GeoJSON Feature."))
            properties = feature.get("properties") or {}
            code = str(properties.get("code") or "").strip() if isinstance(properties, dict) else ""
            if not code:
                raise ValidationError(_('The feature has no "code" property.'))
            geometry = feature.get("geometry")
            kind = _type(feature)
            with transaction.atomic():
                if kind in POLYGONS:
                    _boundary(actor, code, geometry, valid_from)
                    boundaries += 1
                elif kind == "Point":
                    _point(actor, code, geometry)
                    points += 1
                else:
                    raise ValidationError(
                        _("Use a Polygon or MultiPolygon for a boundary, a Point for a building.")
                    )
        except ValidationError as exc:
            for message in _messages(exc):
                report(number, code, message)
        except (PermissionDenied, NotFound) as exc:
            report(number, code, str(exc) or _("You may not do this in this area."))
        tick()
    return boundaries, points


def _type(feature: dict) -> str:
    geometry = feature.get("geometry")
    return str(geometry.get("type")) if isinstance(geometry, dict) else ""
