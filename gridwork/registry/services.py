"""The only code that writes the register. Each call checks permission and scope, runs in one
transaction, locks the row it changes, validates the whole record, and keeps its history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_CHANGE, REGISTER_REVEAL
from gridwork.accounts.permissions import require
from gridwork.areas.geometry import validate_point
from gridwork.areas.models import Area, Level
from gridwork.areas.services import grid_locator, locate_grid
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.core.validators import normalise_phone, validate_credit_code, validate_phone, validate_text
from gridwork.registry import choices as c
from gridwork.registry import uniqueness
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    KeyGroup,
    Organization,
    Person,
    PersonTag,
)
from gridwork.registry.record_rules import (
    derive_person_values,
    drop_derived_noise,
    merge_errors,
    person_clash_message,
    person_rule_errors,
)
from gridwork.registry.signals import register_changed

# What a caller may set on each kind of record; everything else is derived or internal.
EDITABLE: dict[type[models.Model], tuple[str, ...]] = {
    Organization: (
        "grid",
        "name",
        "kind",
        "credit_code",
        "address",
        "contact_name",
        "contact_phone",
        "lon",
        "lat",
        "employees",
    ),
    Building: (
        "grid",
        "code",
        "estate",
        "number",
        "address",
        "lon",
        "lat",
        "floors",
        "units",
        "property_company",
        "head",
    ),
    House: ("building", "unit", "floor", "room", "floor_area", "use", "owner"),
    Household: ("grid", "number", "house", "head"),
    Person: (
        "grid",
        "household",
        "relation",
        "name",
        "id_type",
        "id_number",
        "sex",
        "birth_date",
        "ethnicity",
        "phone",
        "residence_type",
        "status",
        "political_status",
        "education",
        "work",
        "notes",
    ),
    FacilityObject: (
        "grid",
        "code",
        "object_class",
        "subclass",
        "name",
        "lon",
        "lat",
        "owner_department",
        "state",
    ),
    PersonTag: ("person", "group", "since", "until", "risk_level", "officer", "details"),
}

# Records whose grid follows another record's grid.
_FOLLOWERS: dict[type[models.Model], list[tuple[type[models.Model], str]]] = {
    Building: [(House, "building")],
    House: [(Household, "house")],
    Household: [(Person, "household")],
    Person: [(PersonTag, "person")],
}


def scoped(model: type[models.Model], actor: Any) -> models.QuerySet:
    """The records the actor may read: the one scoping function, or all of them for the system."""
    if is_system(actor):
        return model._default_manager.all()
    return model._default_manager.visible_to(actor)


def get_visible(model: type[models.Model], actor: Any, pk: Any, *, lock: bool = False) -> models.Model:
    qs = scoped(model, actor)
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(model._meta.verbose_name) from exc


def _resolve_reference(instance: models.Model, field: models.ForeignKey, value: Any, actor: Any) -> None:
    """Set a foreign key from an id or an instance; a register record must be visible to the actor."""
    if value in (None, ""):
        setattr(instance, field.attname, None)
        return
    target = field.related_model
    # An instance is referred to by the key the field points at: an area by its code, not its id.
    pk = getattr(value, field.target_field.attname) if isinstance(value, models.Model) else value
    if target is Area:
        if not Area.objects.filter(code=str(pk), level=Level.GRID).exists():
            raise ValidationError({field.name: [_("No grid has this code.")]})
        setattr(instance, field.attname, str(pk))
        return
    if hasattr(target._default_manager, "visible_to"):
        try:
            obj = get_visible(target, actor, pk)
        except NotFound as exc:
            raise ValidationError({field.name: [_("No such record in your area.")]}) from exc
    else:
        obj = target._default_manager.filter(pk=pk).first()
        if obj is None:
            raise ValidationError({field.name: [_("No such record.")]})
    setattr(instance, field.name, obj)


def _apply(instance: models.Model, data: dict[str, Any], actor: Any) -> None:
    allowed = EDITABLE[type(instance)]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        try:
            if isinstance(field, models.ForeignKey):
                _resolve_reference(instance, field, value, actor)
            else:
                if isinstance(value, str):
                    value = value.strip()
                    # One check for the forms, the API and the admin: tabs and line breaks only
                    # in a multi-line text (notes), no other control character anywhere.
                    try:
                        validate_text(value, multiline=isinstance(field, models.TextField))
                    except ValidationError as exc:
                        raise ValidationError({name: exc.messages}) from exc
                if (
                    value is None
                    and not field.null
                    and isinstance(field, models.CharField | models.TextField)
                ):
                    value = ""
                setattr(instance, field.attname, value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _grid_from_point(instance: models.Model) -> None:
    lon, lat = getattr(instance, "lon", None), getattr(instance, "lat", None)
    try:
        validate_point(lon, lat)
    except ValidationError as exc:
        raise ValidationError({"lon": exc.messages}) from exc
    if lon is None:
        return
    code = locate_grid(lon, lat)
    if code:
        instance.grid_id = code
    elif isinstance(instance, Building) and not instance.grid_id:
        raise ValidationError({"lon": [_("The point lies outside every grid.")]})


def _derive(instance: models.Model) -> None:
    """Fill what follows from other fields: the grid, and a person's birth date and sex from the ID."""
    if isinstance(instance, Building | Organization | FacilityObject):
        _grid_from_point(instance)
    elif isinstance(instance, House):
        instance.grid_id = instance.building.grid_id
    elif isinstance(instance, Household) and instance.house_id:
        instance.grid_id = instance.house.grid_id
    elif isinstance(instance, Person):
        if instance.household_id:
            instance.grid_id = instance.household.grid_id
        instance.id_number, instance.phone, instance.birth_date, instance.sex = derive_person_values(
            instance.id_type, instance.id_number, instance.phone, instance.birth_date, instance.sex
        )
    elif isinstance(instance, PersonTag):
        instance.grid_id = instance.person.grid_id
    if isinstance(instance, Organization):
        instance.credit_code = (instance.credit_code or "").strip().upper() or None
        instance.contact_phone = normalise_phone(instance.contact_phone)


def _check(instance: models.Model) -> None:
    """Rules beyond the field types; all errors are collected and raised together by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, exc: ValidationError | str) -> None:
        messages = exc.messages if isinstance(exc, ValidationError) else [exc]
        errors.setdefault(field, []).extend(messages)

    if isinstance(instance, Person):
        rule_errors = person_rule_errors(
            instance.id_type, instance.id_number, instance.birth_date, instance.sex, instance.phone
        )
        for key, messages in rule_errors.items():
            errors.setdefault(key, []).extend(messages)
    if isinstance(instance, Organization):
        if instance.credit_code:
            try:
                validate_credit_code(instance.credit_code)
            except ValidationError as exc:
                add("credit_code", exc)
        if instance.contact_phone:
            try:
                validate_phone(instance.contact_phone)
            except ValidationError as exc:
                add("contact_phone", exc)
    if (
        isinstance(instance, Household)
        and instance.head_id
        and instance.pk
        and instance.head.household_id != instance.pk
    ):
        add("head", _("The head must be a member of the household."))
    if isinstance(instance, House) and instance.building_id and instance.floor > instance.building.floors:
        add("floor", _("The building has only %(floors)s floors.") % {"floors": instance.building.floors})
    if (
        isinstance(instance, PersonTag)
        and instance.until
        and instance.since
        and instance.until < instance.since
    ):
        add("until", _("The end date is before the start date."))
    if (
        isinstance(instance, Building | Organization | FacilityObject)
        and getattr(instance, "lon", None) is not None
    ):
        try:
            validate_point(instance.lon, instance.lat)
        except ValidationError as exc:
            add("lon", exc)
    if errors:
        raise ValidationError(errors)


def _validate(instance: models.Model, actor: Any) -> None:
    """Model field checks first, then the register's own rules; both reported together.

    A value unique across the district and already held outside the actor's scope answers only
    "already registered in another area" (registry.uniqueness), in place of any other message."""
    errors: dict[str, list[str]] = {}
    try:
        # The one-living-person rule is checked in _check with a clearer message; the other
        # constraints (one house per building, unit and room) must be checked here, or a duplicate
        # reaches the database and fails as an IntegrityError instead of a field message.
        instance.full_clean(validate_constraints=not isinstance(instance, Person))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _check(instance)
    except ValidationError as exc:
        merge_errors(errors, exc.message_dict)
    except (TypeError, ValueError):
        # A field that failed its own type check above cannot be compared here; its error stands.
        if not errors:
            raise
    hidden = []
    for clash in uniqueness.clashes(actor, instance):
        if clash.visible:
            if isinstance(instance, Person) and clash.field == "id_number":
                errors.setdefault("id_number", []).append(person_clash_message())
            continue  # full_clean's "already exists" stands
        errors[clash.field] = [uniqueness.elsewhere_message()]
        hidden.append(clash)
    if isinstance(instance, Person):
        drop_derived_noise(errors, instance.id_type, instance.birth_date, instance.sex)
    if hidden:
        raise uniqueness.RegisteredElsewhere(errors, type(instance), hidden)
    if errors:
        raise ValidationError(errors)


def _cascade_grid(actor: Any, instance: models.Model) -> None:
    """Records below a record that moved to another grid move with it, each with its history."""
    for model, fk in _FOLLOWERS.get(type(instance), []):
        for child in (
            model._default_manager.select_for_update()
            .filter(**{fk: instance})
            .exclude(grid_id=instance.grid_id)
        ):
            before = audit.snapshot(child)
            child.grid_id = instance.grid_id
            child.save(update_fields=["grid"])
            audit.write_history(actor, child, "move", before, audit.snapshot(child))
            _cascade_grid(actor, child)


def cascade_grid(actor: Any, instance: models.Model) -> None:
    """Public name of the grid cascade, for the bulk importer's updates."""
    _cascade_grid(actor, instance)


def _notify_after_commit(instance: models.Model, action: str) -> None:
    model, pk, grid = type(instance), instance.pk, getattr(instance, "grid_id", "")
    transaction.on_commit(lambda: register_changed.send(sender=model, pk=pk, grid_code=grid, action=action))


def _checked(
    actor: Any, model: type[models.Model], data: dict[str, Any], pk: Any, *, lock: bool
) -> tuple[models.Model, dict[str, Any], str]:
    """The record with `data` applied and every check passed: (instance, before, action)."""
    if model not in EDITABLE:
        raise ValueError(f"{model.__name__} is not a register record")
    if pk is None:
        instance, before, action = model(), {}, "create"
    else:
        instance = get_visible(model, actor, pk, lock=lock)
        before, action = audit.snapshot(instance), "update"
        require(actor, REGISTER_CHANGE, instance.grid_id)
    _apply(instance, data, actor)
    _derive(instance)
    if not instance.grid_id:
        raise ValidationError({"grid": [_("This field cannot be blank.")]})
    require(actor, REGISTER_CHANGE, instance.grid_id)
    _validate(instance, actor)
    return instance, before, action


def check_record(actor: Any, model: type[models.Model], data: dict[str, Any], pk: Any = None) -> models.Model:
    """Every check save_record makes, raising as it does, but nothing written: the record unsaved.

    For an import's check of a file before it writes (no transaction, no lock taken).
    """
    try:
        return _checked(actor, model, data, pk, lock=False)[0]
    except uniqueness.RegisteredElsewhere as exc:
        uniqueness.log_attempt(actor, exc)
        raise


def save_record(actor: Any, model: type[models.Model], data: dict[str, Any], pk: Any = None) -> models.Model:
    """Create (pk None) or update one register record from field values."""
    try:
        return _save_record(actor, model, data, pk)
    except uniqueness.RegisteredElsewhere as exc:
        # After the refused write's rollback, so the entry stays.
        uniqueness.log_attempt(actor, exc)
        raise


@transaction.atomic
def _save_record(actor: Any, model: type[models.Model], data: dict[str, Any], pk: Any) -> models.Model:
    instance, before, action = _checked(actor, model, data, pk, lock=True)
    instance.save()
    audit.write_history(actor, instance, action, before, audit.snapshot(instance))
    if before and before.get("grid_id") != instance.grid_id:
        _cascade_grid(actor, instance)
    if isinstance(instance, Person) and instance.relation == c.Relation.HEAD and instance.household_id:
        household = Household.objects.select_for_update().get(pk=instance.household_id)
        if household.head_id is None:
            hh_before = audit.snapshot(household)
            household.head = instance
            household.save(update_fields=["head"])
            audit.write_history(actor, household, "update", hh_before, audit.snapshot(household))
    _notify_after_commit(instance, action)
    return instance


@transaction.atomic
def delete_record(actor: Any, model: type[models.Model], pk: Any) -> None:
    """Remove a record entered by mistake; one still referenced is refused."""
    instance = get_visible(model, actor, pk, lock=True)
    require(actor, REGISTER_CHANGE, instance.grid_id)
    before = audit.snapshot(instance)
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("This record is still referenced by other records and cannot be deleted.")
        ) from exc
    instance.pk = before["id"]
    audit.write_history(actor, instance, "delete", before, {})
    _notify_after_commit(instance, "delete")


def reveal_person(actor: Any, pk: Any, reason: str) -> dict[str, Any]:
    """The unmasked ID number, phone and sensitive tags of one person, for a stated reason; audited."""
    reason = (reason or "").strip()
    person = get_visible(Person, actor, pk)
    if is_system(actor):
        raise PermissionDenied(_("The system does not reveal personal data."))
    require(actor, REGISTER_REVEAL, person.grid_id)
    if len(reason) < 4:
        raise ValidationError(
            {"reason": [_("State why you need to see the full data (at least 4 characters).")]}
        )
    audit.log(AuditEvent.Action.REVEAL, actor, obj=person, reason=reason[:300])
    return {
        "id_number": person.id_number,
        "phone": person.phone,
        "birth_date": person.birth_date,
        "tags": list(person.tags.select_related("group").values_list("group__code", flat=True)),
    }


def visible_tags(actor: Any, person: Person, revealed: bool) -> list[PersonTag]:
    """A person's tags; sensitive ones only when revealed (normal ones always)."""
    tags = list(person.tags.select_related("group"))
    if revealed:
        return tags
    return [t for t in tags if t.group.sensitivity <= 1]


def key_groups() -> list[KeyGroup]:
    return list(KeyGroup.objects.all())


@transaction.atomic
def reassign_buildings_to_grids(actor: Any, bounds: tuple[float, float, float, float], **_: Any) -> int:
    """After a grid boundary changed: buildings in the area it touches go to the grid containing them."""
    locator = grid_locator(bounds=bounds)
    if locator is None:
        return 0
    min_lon, min_lat, max_lon, max_lat = bounds
    moved = 0
    buildings = Building.objects.select_for_update().filter(
        lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat
    )
    for building in buildings:
        code = locator.locate(building.lon, building.lat)
        if code and code != building.grid_id:
            before = audit.snapshot(building)
            building.grid_id = code
            building.save(update_fields=["grid"])
            audit.write_history(actor, building, "move", before, audit.snapshot(building))
            _cascade_grid(actor, building)
            moved += 1
    return moved
