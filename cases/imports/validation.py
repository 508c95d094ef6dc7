"""Validating an imported row's object once, in Python, with the same rules ``full_clean`` applies.

``full_clean`` costs Django 6 a query per ``CheckConstraint`` (``Q.check`` asks the database) and a
query per foreign key (does the row exist?). An import validates thousands of objects whose foreign
keys were just looked up by the planner, under constraints that are plain comparisons (a birth year
between 1880 and 2100, a date needed unless its precision is unknown). So the fields are cleaned as
``full_clean`` cleans them, the foreign keys are trusted (the planner found them), and each check
constraint is evaluated here with SQL's three-valued logic: a comparison with NULL is unknown, and a
constraint fails only when its condition is false (as ``CHECK`` does). A condition this evaluator
does not know (a transform, an expression) falls back to Django's query, so nothing goes unchecked.
The database enforces the same constraints again on insert.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q


class _Unsupported(Exception):
    pass


def validate(obj, exclude=()):
    """Raise ValidationError (message_dict by field) like ``obj.full_clean(validate_unique=False)``."""
    errors = {}
    foreign_keys = []
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            foreign_keys.append(field)
    skip = set(exclude) | {field.name for field in foreign_keys}
    try:
        obj.clean_fields(exclude=skip)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field in foreign_keys:
        if field.name not in exclude and not field.null and getattr(obj, field.attname) is None:
            errors.setdefault(field.name, []).append(ValidationError(field.error_messages["null"]))
    try:
        obj.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in obj._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue  # uniqueness is the planner's business (it matches existing rows by key)
        if _fields_of(constraint.condition) & set(errors):
            continue  # as full_clean: a field already refused is not checked again
        try:
            holds = _holds(obj, constraint.condition)
        except _Unsupported:
            try:
                constraint.validate(type(obj), obj, exclude=set(exclude))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            continue
        if holds is False:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code))
    if errors:
        raise ValidationError(errors)


def _fields_of(condition):
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields_of(child)
        else:
            names.add(child[0].split("__", 1)[0])
            if isinstance(child[1], F):
                names.add(child[1].name)
    return names


def _holds(obj, condition):
    """True, False or None (unknown) for ``condition`` on ``obj``."""
    results = [_holds(obj, child) if isinstance(child, Q) else _compare(obj, *child) for child in condition.children]
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise _Unsupported(condition.connector)
    if condition.negated:
        result = None if result is None else not result
    return result


def _value(obj, name):
    try:
        field = obj._meta.get_field(name)
    except Exception as error:  # noqa: BLE001 - FieldDoesNotExist or a relation: let Django decide
        raise _Unsupported(name) from error
    if not field.concrete:
        raise _Unsupported(name)
    return field, getattr(obj, field.attname)


def _compare(obj, lookup, expected):
    name, _, operator = lookup.partition("__")
    operator = operator or "exact"
    field, actual = _value(obj, name)
    if operator == "isnull":
        return (actual is None) == bool(expected)
    if isinstance(expected, F):
        expected = _value(obj, expected.name)[1]
    elif hasattr(expected, "resolve_expression"):
        raise _Unsupported(lookup)
    elif operator == "in":
        expected = [field.to_python(value) for value in expected]
    elif expected is not None:
        expected = field.to_python(expected)
    if operator == "exact" and expected is None:
        return actual is None  # Django turns field=None into IS NULL
    if actual is None or expected is None:
        return None
    comparisons = {
        "exact": lambda a, b: a == b, "gte": lambda a, b: a >= b, "lte": lambda a, b: a <= b,
        "gt": lambda a, b: a > b, "lt": lambda a, b: a < b, "in": lambda a, b: a in b,
    }
    if operator not in comparisons:
        raise _Unsupported(lookup)
    return comparisons[operator](actual, expected)
