"""Querysets that every request runs again with other ids, built and compiled once per process.

Building a queryset with its visibility rules (``Case.objects.visible_to``) and compiling it to
SQL costs the ORM several times what PostgreSQL needs to run it: the case page's own case takes
4.5 ms of Python for 0.9 ms of SQL. When a queryset's shape is fixed and only ids vary (the case,
the user, a list of people), its SQL is compiled once with stand-in ids and then run with the
real ones; the rows become model instances as Django's own iteration makes them, with their
``select_related`` objects and annotations. The SQL sent is the one the ORM would send.

    CASE = Statement(lambda user, pk: Case.objects.visible_to(user).select_related("person").filter(pk=pk))
    case = CASE.first(request.user, pk=12)

The shape is keyed by the user's roles (visibility differs by role) and by the length of each list
of ids; ``prefetch_related`` is not applied (fetch those with a second statement)."""

import copy
import itertools
import weakref

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import get_related_populators

from . import roles  # a module, not its function: roles reads its groups through a Statement

_STAND_IN = -7_100_000_000  # ids no row has; each stand-in is this minus a counter
_MOST_SHAPES = 256  # per statement: lists of every length up to a page, for a few roles


class _Compiled:
    def __init__(self, compiler, sql, params, slots, fetch_mode):
        self.compiler, self.sql, self.params, self.slots = compiler, sql, params, slots
        self.fetch_mode = fetch_mode
        # How rows become values and instances, worked out on the first run.
        self.converters = self.model = self.span = self.init_list = self.populators = None


class Statement:
    def __init__(self, build):
        """``build(user, *shape, **ids)`` returns the queryset: ``shape``, hashable values that
        change the SQL (which kinds of record), is part of the key; each id is an int or a list of
        ints, and none is called ``user`` (the user's own id goes by that name). For a statement that
        sees no user (``user=None``), ``build`` gets None."""
        self.build = build
        self._compiled = {}

    def all(self, user, *shape, **ids):
        """The instances ``build(user, *shape, **ids)`` yields, in its order."""
        compiled = self._compiled_for(user, shape, ids)
        if compiled is None:
            return []
        rows = _fetch(compiled.compiler.using, compiled.sql, _params(compiled, user, ids))
        return list(_instances(compiled, rows))

    def first(self, user, *shape, **ids):
        found = self.all(user, *shape, **ids)
        return found[0] if found else None

    def values(self, user, *shape, **ids):
        """The rows of a ``values_list`` statement, as tuples: no model instance to build."""
        compiled = self._compiled_for(user, shape, ids)
        if compiled is None:
            return []
        rows = _fetch(compiled.compiler.using, compiled.sql, _params(compiled, user, ids))
        converters = _converters(compiled)
        return list(compiled.compiler.apply_converters(rows, converters)) if converters else rows

    def count(self, user, *shape, **ids):
        """How many rows ``build`` yields, as ``SELECT COUNT(*)`` around its SQL (as Django counts
        a sliced queryset: slice it to cap the count)."""
        compiled = self._compiled_for(user, shape, ids)
        if compiled is None:
            return 0
        sql = f"SELECT COUNT(*) FROM ({compiled.sql}) counted"  # noqa: S608 - the ORM's own SQL, values as params
        return _fetch(compiled.compiler.using, sql, _params(compiled, user, ids))[0][0]

    def _compiled_for(self, user, shape, ids):
        key = (None if user is None else roles.roles_of(user), shape,
               tuple((name, len(value) if isinstance(value, (list, tuple)) else None)
                     for name, value in sorted(ids.items())))
        try:
            return self._compiled[key]
        except KeyError:
            pass
        if len(self._compiled) >= _MOST_SHAPES:
            self._compiled.clear()
        counter = itertools.count(1)
        slots = {}

        def stand_in(name, index=None):
            value = _STAND_IN - next(counter)
            slots[value] = (name, index)
            return value

        stand_in_user = None
        if user is not None:
            stand_in_user = copy.copy(user)  # keeps the roles read above (cached on the user)
            stand_in_user.pk = stand_in("user")
        args = {name: [stand_in(name, i) for i in range(len(value))] if isinstance(value, (list, tuple))
                else stand_in(name) for name, value in ids.items()}
        queryset = self.build(stand_in_user, *shape, **args)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # .none(): a user who may read nothing
            compiled = None
        else:
            compiled = _Compiled(compiler, sql, tuple(params), slots, queryset._fetch_mode)
        self._compiled[key] = compiled
        return compiled


def _params(compiled, user, ids):
    values = {"user": getattr(user, "pk", None), **ids}
    slots = compiled.slots
    return tuple(_value(values, slots[param]) if isinstance(param, int) and param in slots else param
                 for param in compiled.params)


def _value(values, slot):
    name, index = slot
    return values[name] if index is None else values[name][index]


def _fetch(db, sql, params):
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _converters(compiled):
    """The columns' converters (dates on SQLite, decimals…), which Django works out for every query."""
    if compiled.converters is None:
        compiler = compiled.compiler
        compiled.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return compiled.converters


def _instances(compiled, rows):
    """Model instances from the rows, as ``django.db.models.query.ModelIterable`` builds them."""
    compiler, fetch_mode = compiled.compiler, compiled.fetch_mode
    if compiled.init_list is None:  # worked out by Django for every query; here once
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled.model, compiled.span = klass_info["model"], (start, end)
        compiled.init_list = [column[0].target.attname for column in select[start:end]]
        compiled.populators = get_related_populators(klass_info, select, compiler.using, fetch_mode)
    converters = _converters(compiled)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    db, (start, end), annotations = compiler.using, compiled.span, compiler.annotation_col_map or {}
    peers = []
    for row in rows:
        obj = compiled.model.from_db(db, compiled.init_list, row[start:end], fetch_mode=fetch_mode)
        if fetch_mode.track_peers:
            peers.append(weakref.ref(obj))
            obj._state.peers = peers
        for populator in compiled.populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        yield obj
