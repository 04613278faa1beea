"""The CRM search request: validation, filter compilation and sorting.

parse_search() turns a request body into a Query or raises ApiError with the
400 HubSpot would send. compile_groups() builds a record predicate;
sort_ids() orders matching records. The store (store.py) caches the results.
"""

import json

from model import ApiError, to_epoch_ms, to_number, validation_error

MAX_BODY_CHARS = 3000
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_RESULTS = 10000
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS_TOTAL = 18

VALUE_OPS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
OPERATORS = VALUE_OPS | {"BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}
ID_RANGE_OPS = {"EQ", "LT", "LTE", "GT", "GTE", "BETWEEN"}


class Filter:
    __slots__ = ("prop", "op", "values")

    def __init__(self, prop, op, values):
        self.prop = prop
        self.op = op
        self.values = values  # tuple of strings (low, high for BETWEEN)

    def key(self):
        return (self.prop, self.op, self.values)


class Query:
    __slots__ = ("groups", "sort", "properties", "limit", "after")

    def __init__(self, groups, sort, properties, limit, after):
        self.groups = groups          # list of lists of Filter
        self.sort = sort              # None or (prop, descending)
        self.properties = properties  # list of names, or None for defaults
        self.limit = limit
        self.after = after

    def key(self):
        """Cache key of the filtered + sorted id list."""
        return (tuple(tuple(f.key() for f in g) for g in self.groups), self.sort)


def _as_str(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    return None


def _parse_int(v, field, what):
    if isinstance(v, bool):
        v = None
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        v = int(v)
    if not isinstance(v, int):
        raise validation_error("%s must be an integer" % what, field)
    return v


def parse_search(text):
    """Validate a search body (str) and return a Query."""
    if len(text) > MAX_BODY_CHARS:
        raise validation_error(
            "Request body must be at most %d characters (got %d)" % (MAX_BODY_CHARS, len(text)),
            "body", sub_category="REQUEST_TOO_LARGE")
    try:
        req = json.loads(text) if text.strip() else {}
    except ValueError as e:
        raise validation_error("Invalid input JSON: %s" % e, "body",
                               sub_category="INVALID_JSON")
    if not isinstance(req, dict):
        raise validation_error("Request body must be a JSON object", "body")

    limit = req.get("limit", DEFAULT_LIMIT)
    limit = DEFAULT_LIMIT if limit is None else _parse_int(limit, "limit", "limit")
    if limit > MAX_LIMIT:
        raise validation_error("Must be less than or equal to %d" % MAX_LIMIT, "limit")
    if limit < 1:
        raise validation_error("Must be greater than or equal to 1", "limit")

    after = req.get("after", "0")
    after = 0 if after in (None, "") else _parse_int(after, "after", "after")
    if after < 0:
        raise validation_error("after must not be negative", "after")
    if after >= MAX_RESULTS or after + limit > MAX_RESULTS:
        raise validation_error(
            "Paging beyond %d results is not supported (after=%d, limit=%d)"
            % (MAX_RESULTS, after, limit), "after")

    groups = _parse_groups(req.get("filterGroups"))
    sort = _parse_sorts(req.get("sorts"))

    props = req.get("properties")
    if props is not None:
        if isinstance(props, str):
            props = [p for p in props.split(",") if p]
        if not isinstance(props, list) or not all(isinstance(p, str) for p in props):
            raise validation_error("properties must be an array of strings", "properties")
    return Query(groups, sort, props, limit, after)


def _parse_groups(raw):
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise validation_error("filterGroups must be an array", "filterGroups")
    if len(raw) > MAX_GROUPS:
        raise validation_error("Too many filter groups: at most %d allowed (got %d)"
                               % (MAX_GROUPS, len(raw)), "filterGroups")
    groups, total = [], 0
    for g in raw:
        filters = g.get("filters") if isinstance(g, dict) else None
        if not isinstance(filters, list):
            raise validation_error("each filter group needs a filters array", "filterGroups")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation_error("Too many filters in a group: at most %d allowed (got %d)"
                                   % (MAX_FILTERS_PER_GROUP, len(filters)), "filterGroups")
        total += len(filters)
        if total > MAX_FILTERS_TOTAL:
            raise validation_error("Too many filters: at most %d allowed in total"
                                   % MAX_FILTERS_TOTAL, "filterGroups")
        groups.append([_parse_filter(f) for f in filters])
    return groups  # an empty group matches everything (see compile_groups)


def _parse_filter(f):
    if not isinstance(f, dict):
        raise validation_error("a filter must be an object", "filters")
    prop, op = f.get("propertyName"), f.get("operator", "EQ")
    if not isinstance(prop, str) or not prop:
        raise validation_error("filter propertyName is required", "propertyName")
    if op not in OPERATORS:
        raise validation_error("Unknown operator %r" % (op,), "operator")
    if op in VALUE_OPS:
        v = _as_str(f.get("value"))
        if v is None:
            raise validation_error("operator %s requires a value" % op, "value")
        values = (v,)
    elif op == "BETWEEN":
        lo, hi = _as_str(f.get("value")), _as_str(f.get("highValue"))
        if lo is None or hi is None:
            raise validation_error("BETWEEN requires value and highValue", "highValue")
        values = (lo, hi)
    elif op in ("IN", "NOT_IN"):
        vs = f.get("values")
        if not isinstance(vs, list) or not vs:
            raise validation_error("operator %s requires a values array" % op, "values")
        values = tuple(_as_str(v) for v in vs)
        if None in values:
            raise validation_error("values must be strings or numbers", "values")
    else:
        values = ()
    return Filter(prop, op, values)


def _parse_sorts(raw):
    if not raw:
        return None
    if not isinstance(raw, list):
        raise validation_error("sorts must be an array", "sorts")
    s = raw[0]  # only one sort is honoured
    if isinstance(s, str):
        return (s[1:], True) if s.startswith("-") else (s, False)
    if isinstance(s, dict) and isinstance(s.get("propertyName"), str):
        d = str(s.get("direction", "ASCENDING")).upper()
        if d not in ("ASCENDING", "DESCENDING"):
            raise validation_error("direction must be ASCENDING or DESCENDING", "sorts")
        return (s["propertyName"], d == "DESCENDING")
    raise validation_error("invalid sort", "sorts")


# ---------------------------------------------------------------------------
# Evaluation

def _numeric_getter(otype, prop):
    """record -> number (or None) for numeric comparison of `prop`."""
    ptype = otype.properties.get(prop)
    mod = otype.modified_prop
    if prop == "hs_object_id":
        return lambda r: r.id
    if prop == "createdate":
        return lambda r: r.created_ms
    if prop == mod:
        return lambda r: r.updated_ms
    conv = to_epoch_ms if ptype in ("datetime", "date") else to_number
    return lambda r: conv(r.props.get(prop))


def _filter_number(otype, prop, value):
    ptype = otype.properties.get(prop)
    return to_epoch_ms(value) if ptype in ("datetime", "date") else to_number(value)


def compile_filter(otype, f):
    """Filter -> predicate(record) -> bool."""
    prop, op = f.prop, f.op
    mod = otype.modified_prop
    if prop not in otype.properties:
        get = lambda r: None  # undefined property: never has a value
    else:
        get = lambda r: r.get(prop, mod) or None
    if op == "HAS_PROPERTY":
        return lambda r: get(r) is not None
    if op == "NOT_HAS_PROPERTY":
        return lambda r: get(r) is None

    ptype = otype.properties.get(prop)
    typed = ptype in ("number", "datetime", "date")
    fold = (lambda s: s) if ptype == "enum" else str.casefold
    numget = _numeric_getter(otype, prop)
    targets = [(_filter_number(otype, prop, v), fold(v)) for v in f.values]

    def cmp(r, raw, target):
        """-1/0/1, or None when a typed value cannot be compared."""
        tnum, tstr = target
        if tnum is not None:
            n = numget(r)
            if n is not None:
                return (n > tnum) - (n < tnum)
            if typed:  # e.g. affiliate_mrr "n/a" against a number
                return None
        s = fold(raw)
        return (s > tstr) - (s < tstr)

    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = targets[0][1].replace("*", "")
        hit = lambda r: (lambda raw: raw is not None and token in fold(raw))(get(r))
        return hit if op == "CONTAINS_TOKEN" else (lambda r: not hit(r))

    def pred_for(test):
        def pred(r):
            raw = get(r)
            if raw is None:
                return False
            c = cmp(r, raw, targets[0])
            return c is not None and test(c)
        return pred

    if op == "EQ":
        return pred_for(lambda c: c == 0)
    if op == "LT":
        return pred_for(lambda c: c < 0)
    if op == "LTE":
        return pred_for(lambda c: c <= 0)
    if op == "GT":
        return pred_for(lambda c: c > 0)
    if op == "GTE":
        return pred_for(lambda c: c >= 0)
    if op == "NEQ":
        return lambda r: (lambda raw: raw is None or cmp(r, raw, targets[0]) != 0)(get(r))
    if op == "BETWEEN":
        lo, hi = targets

        def between(r):
            raw = get(r)
            if raw is None:
                return False
            a, b = cmp(r, raw, lo), cmp(r, raw, hi)
            return a is not None and b is not None and a >= 0 and b <= 0
        return between

    def member(r):
        raw = get(r)
        return raw is not None and any(cmp(r, raw, t) == 0 for t in targets)
    if op == "IN":
        return member
    return lambda r: not member(r)  # NOT_IN


def compile_groups(otype, groups):
    """Filter groups -> predicate, or None when everything matches."""
    if not groups or any(not g for g in groups):
        return None
    compiled = [[compile_filter(otype, f) for f in g] for g in groups]
    if len(compiled) == 1:
        preds = compiled[0]
        if len(preds) == 1:
            return preds[0]
        return lambda r: all(p(r) for p in preds)
    return lambda r: any(all(p(r) for p in g) for g in compiled)


def sort_ids(otype, records, ids, sort):
    """Order `ids` (ascending) by `sort`; records without a value go last,
    ties keep ascending id order."""
    if sort is None:
        return ids
    prop, desc = sort
    if prop == "hs_object_id":
        return ids[::-1] if desc else ids
    if prop not in otype.properties:
        return ids
    numget = _numeric_getter(otype, prop)
    ptype = otype.properties[prop]
    fold = (lambda s: s) if ptype == "enum" else str.casefold
    mod = otype.modified_prop
    present, missing = [], []
    for i in ids:
        r = records[i]
        raw = r.get(prop, mod)
        if not raw:
            missing.append(i)
            continue
        n = numget(r) if ptype in ("number", "datetime", "date") else to_number(raw)
        present.append(((0, n, "") if n is not None else (1, 0, fold(raw)), i))
    present.sort(key=lambda kv: kv[0], reverse=desc)
    return [i for _, i in present] + missing


def id_range_split(query):
    """For a single group sorted by id ascending: split off the hs_object_id
    range filters. Returns (base_filters, [(op, number...)]) or None."""
    if query.sort not in (None, ("hs_object_id", False)) or len(query.groups) != 1:
        return None
    base, ranges = [], []
    for f in query.groups[0]:
        if f.prop == "hs_object_id" and f.op in ID_RANGE_OPS:
            nums = [to_number(v) for v in f.values]
            if None in nums:
                return None
            ranges.append((f.op, nums))
        else:
            base.append(f)
    return (base, ranges) if ranges else None


__all__ = ["ApiError", "Query", "parse_search", "compile_groups", "sort_ids",
           "id_range_split", "MAX_RESULTS"]
