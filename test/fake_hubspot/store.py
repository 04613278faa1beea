"""In-memory CRM data: records by id plus a sorted id list per object type,
the search result cache, page rendering and the mutations of the control API.

Search results are cached per (filterGroups, sort) as a list of ids; any
mutation or scenario load drops the cache. Queries that page by hs_object_id
(one filter group, sorted by id ascending, with GT/GTE/LT/LTE/EQ/BETWEEN on
hs_object_id) reuse the cached list of the remaining filters and cut the id
range out with bisect, so restarting a 10,000-result window costs almost
nothing even with 200,000 records.
"""

import bisect
import threading
from collections import OrderedDict
from json.encoder import encode_basestring as _enc

import search
from model import (OBJECT_TYPES, ApiError, Record, error_body, iso_ms, not_found,
                   now_ms, to_epoch_ms)

CACHE_ENTRIES = 32
LIST_MAX_LIMIT = 100
ID_START = {"contacts": 51000000001, "deals": 9100000001}


class ObjectStore:
    def __init__(self, otype, records):
        self.otype = otype
        self.records = {r.id: r for r in records}
        self.ids = sorted(self.records)
        self.next_id = (self.ids[-1] + 1) if self.ids else ID_START[otype.name]
        self.cache = OrderedDict()
        self.props_cache = {}

    # -- searching ---------------------------------------------------------

    def invalidate(self):
        self.cache.clear()

    def _cached(self, key, compute):
        ids = self.cache.get(key)
        if ids is None:
            ids = compute()
            self.cache[key] = ids
            if len(self.cache) > CACHE_ENTRIES:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(key)
        return ids

    def _filter(self, groups, sort):
        pred = search.compile_groups(self.otype, groups)
        recs = self.records
        if pred is None:
            ids = [i for i in self.ids if not recs[i].archived]
        else:
            ids = [i for i in self.ids if not recs[i].archived and pred(recs[i])]
        return search.sort_ids(self.otype, recs, ids, sort)

    def matching_ids(self, query):
        """Filtered and sorted ids of non-archived records (cached)."""
        split = search.id_range_split(query)
        if split is None:
            return self._cached(query.key(), lambda: self._filter(query.groups, query.sort))
        base_filters, ranges = split
        base_groups = [base_filters] if base_filters else []
        base_key = (tuple(tuple(f.key() for f in g) for g in base_groups), None)

        def window():
            base = self._cached(base_key, lambda: self._filter(base_groups, None))
            lo, hi = 0, len(base)
            for op, nums in ranges:
                v = nums[0]
                if op == "GT":
                    lo = max(lo, bisect.bisect_right(base, v))
                elif op == "GTE":
                    lo = max(lo, bisect.bisect_left(base, v))
                elif op == "LT":
                    hi = min(hi, bisect.bisect_left(base, v))
                elif op == "LTE":
                    hi = min(hi, bisect.bisect_right(base, v))
                elif op == "EQ":
                    lo = max(lo, bisect.bisect_left(base, v))
                    hi = min(hi, bisect.bisect_right(base, v))
                else:  # BETWEEN
                    lo = max(lo, bisect.bisect_left(base, v))
                    hi = min(hi, bisect.bisect_right(base, nums[1]))
            return base[lo:hi] if lo < hi else []
        return self._cached(query.key(), window)

    def resolve_props(self, requested):
        """Requested names -> the sorted names held in Record.props (the
        always-returned slot properties are added by render)."""
        key = None if requested is None else tuple(requested)
        props = self.props_cache.get(key)
        if props is None:
            names = self.otype.default_props if requested is None else requested
            props = sorted({p for p in names if p in self.otype.properties}
                           - set(self.otype.always))
            self.props_cache[key] = props
        return props

    def render(self, rec, props):
        d = dict(zip(props, map(rec.props.get, props)))
        d["createdate"] = rec.created
        d["hs_object_id"] = rec.sid
        d[self.otype.modified_prop] = rec.updated
        out = {"id": rec.sid, "properties": d, "createdAt": rec.created,
               "updatedAt": rec.updated, "archived": rec.archived}
        if rec.archived:
            out["archivedAt"] = rec.archived_at
        return out

    def encode(self, recs, props):
        """JSON text of render() for each record, joined by commas. Built by
        hand because it is about twice as fast as json.dumps on the dicts;
        test_server checks that both give the same objects."""
        keys = [_enc(p) + ":" for p in props]
        tail = _enc(self.otype.modified_prop)
        out = []
        for r in recs:
            fields = ",".join([k + (_enc(v) if v is not None else "null")
                               for k, v in zip(keys, map(r.props.get, props))])
            out.append('{"id":"%s","properties":{%s%s"createdate":"%s","hs_object_id":"%s",'
                       '%s:"%s"},"createdAt":"%s","updatedAt":"%s","archived":%s%s}' % (
                           r.sid, fields, "," if fields else "", r.created, r.sid, tail,
                           r.updated, r.created, r.updated, "true" if r.archived else "false",
                           ',"archivedAt":"%s"' % r.archived_at if r.archived else ""))
        return ",".join(out)

    def search(self, query):
        """The search response as UTF-8 JSON bytes."""
        ids = self.matching_ids(query)
        total = len(ids)
        end = query.after + query.limit
        props = self.resolve_props(query.properties)
        recs = self.records
        results = self.encode([recs[i] for i in ids[query.after:end]], props)
        paging = ',"paging":{"next":{"after":"%d"}}' % end if end < total else ""
        return ('{"total":%d,"results":[%s]%s}' % (total, results, paging)).encode("utf-8")

    def list_page(self, limit, after, requested, archived, base_url):
        """GET /crm/v3/objects/{type}: id-cursor paging, max 100 per page."""
        props = self.resolve_props(requested)
        recs = self.records
        start = bisect.bisect_left(self.ids, after)
        out, nxt = [], None
        for i in self.ids[start:]:
            r = recs[i]
            if r.archived != archived:
                continue
            if len(out) == limit:
                nxt = i
                break
            out.append(self.render(r, props))
        resp = {"results": out}
        if nxt is not None:
            resp["paging"] = {"next": {"after": str(nxt),
                                       "link": "%s?after=%d" % (base_url, nxt)}}
        return resp

    # -- mutations ---------------------------------------------------------

    def _get(self, rid):
        try:
            rec = self.records.get(int(rid))
        except (TypeError, ValueError):
            rec = None
        if rec is None:
            raise not_found("No %s with id %s" % (self.otype.name, rid))
        return rec

    def _apply(self, rec, properties):
        """Set properties on rec; returns True when the modified date was set."""
        if not isinstance(properties, dict):
            raise ApiError(400, error_body("properties must be an object", "VALIDATION_ERROR"))
        mod = self.otype.modified_prop
        touched_mod = False
        for k, v in properties.items():
            if k not in self.otype.properties:
                raise ApiError(400, error_body("Property %r does not exist" % k,
                                               "VALIDATION_ERROR"))
            if k == "hs_object_id":
                raise ApiError(400, error_body("hs_object_id is read-only", "VALIDATION_ERROR"))
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif v is not None and not isinstance(v, str):
                v = str(v)
            if k in ("createdate", mod):
                ms = to_epoch_ms(v)
                if ms is None:
                    raise ApiError(400, error_body("%s must be a date" % k, "VALIDATION_ERROR"))
                if k == "createdate":
                    rec.set_created(ms)
                else:
                    rec.set_updated(ms)
                    touched_mod = True
            elif v is None or v == "":
                rec.props.pop(k, None)
            else:
                rec.props[k] = v
        return touched_mod

    def mutate(self, op, rid, properties):
        now = now_ms()
        if op == "create":
            rec = Record(self.next_id, {}, now)
            self.next_id += 1
            self._apply(rec, properties or {})
            self.records[rec.id] = rec
            self.ids.append(rec.id)  # next_id exceeds every id ever used
        elif op == "update":
            rec = self._get(rid)
            if not self._apply(rec, properties or {}):
                rec.set_updated(max(now, rec.updated_ms + 1))
        elif op == "archive":
            rec = self._get(rid)
            rec.archived = True
            rec.archived_at = iso_ms(now)
        elif op == "unarchive":
            rec = self._get(rid)
            rec.archived = False
            rec.archived_at = None
        elif op == "delete":
            rec = self._get(rid)
            del self.records[rec.id]
            del self.ids[bisect.bisect_left(self.ids, rec.id)]
        else:
            raise ApiError(400, error_body("unknown op %r" % (op,), "VALIDATION_ERROR"))
        self.invalidate()
        return rec.sid

    def dump(self):
        mod = self.otype.modified_prop
        out = []
        for i in self.ids:
            r = self.records[i]
            item = {"id": r.sid,
                    "properties": {p: r.get(p, mod) for p in self.otype.properties},
                    "createdAt": r.created, "updatedAt": r.updated, "archived": r.archived}
            if r.archived:
                item["archivedAt"] = r.archived_at
            out.append(item)
        return out


class Store:
    """All data of one scenario; callers hold `lock` around every access."""

    def __init__(self, dataset):
        self.lock = threading.RLock()
        self.load(dataset)

    def load(self, dataset):
        self.dataset_info = dataset.info
        self.objects = {"contacts": ObjectStore(OBJECT_TYPES["contacts"], dataset.contacts),
                        "deals": ObjectStore(OBJECT_TYPES["deals"], dataset.deals)}
        self.pipelines = dataset.pipelines
        self.partners = dataset.partners

    def object_store(self, name):
        s = self.objects.get(name)
        if s is None:
            raise not_found("Unknown object type %r" % (name,))
        return s

    def summary(self):
        out = dict(self.dataset_info)
        for name, s in self.objects.items():
            out[name] = len(s.records)
        out["partners"] = len(self.partners)
        return out
