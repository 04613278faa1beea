"""Fault rules of the control API (POST/GET/DELETE /__fake/faults).

A rule matches when its regex is found in 'METHOD /path?query'. It first lets
`skip` matching requests pass, then applies its action `times` times (-1 =
forever). Rules are tried in the order they were added; the first rule that
applies wins. Actions: status, stall, truncate, invalid_json, close.
"""

import re
import threading

ACTIONS = ("status", "stall", "truncate", "invalid_json", "close")


class FaultRule:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be an object")
        self.pattern = spec.get("match", "")
        if not isinstance(self.pattern, str):
            raise ValueError("match must be a string (a Python regex)")
        try:
            self.regex = re.compile(self.pattern)
        except re.error as e:
            raise ValueError("bad match regex %r: %s" % (self.pattern, e))
        self.action = spec.get("action")
        if self.action not in ACTIONS:
            raise ValueError("action must be one of %s" % ", ".join(ACTIONS))
        self.times = _int(spec.get("times", 1), "times")
        self.skip = _int(spec.get("skip", 0), "skip")
        if self.times < -1 or self.skip < 0:
            raise ValueError("times must be >= -1 and skip >= 0")
        self.times_initial, self.skip_initial = self.times, self.skip
        self.status = None
        self.retry_after = spec.get("retry_after")
        self.body = spec.get("body")
        self.seconds = float(spec.get("seconds", 0))
        if self.action == "status":
            self.status = _int(spec.get("status"), "status")
            if not 400 <= self.status <= 599:
                raise ValueError("status must be an HTTP error status (400-599)")
        if self.action == "stall" and self.seconds < 0:
            raise ValueError("seconds must not be negative")
        if self.body is not None and not isinstance(self.body, (dict, list, str)):
            raise ValueError("body must be an object, an array or a string")
        self.applied = 0

    def describe(self):
        d = {"match": self.pattern, "action": self.action, "times": self.times_initial,
             "remaining": self.times, "skip": self.skip_initial,
             "skip_remaining": self.skip, "applied": self.applied}
        if self.action == "status":
            d["status"] = self.status
            if self.retry_after is not None:
                d["retry_after"] = self.retry_after
            if self.body is not None:
                d["body"] = self.body
        if self.action == "stall":
            d["seconds"] = self.seconds
        return d


def _int(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ValueError("%s must be an integer" % name)
    try:
        return int(v)
    except ValueError:
        raise ValueError("%s must be an integer" % name)


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def add(self, specs):
        if not isinstance(specs, list):
            raise ValueError("faults must be an array of rules")
        rules = [FaultRule(s) for s in specs]  # validate all before adding any
        with self.lock:
            self.rules.extend(rules)
        return len(rules)

    def clear(self):
        with self.lock:
            self.rules = []

    def describe(self):
        with self.lock:
            return [r.describe() for r in self.rules]

    def pick(self, request_line):
        """The rule to apply to 'METHOD /path', or None; updates counters."""
        with self.lock:
            for r in self.rules:
                if r.times == 0 or not r.regex.search(request_line):
                    continue
                if r.skip > 0:
                    r.skip -= 1
                    continue
                if r.times > 0:
                    r.times -= 1
                r.applied += 1
                return r
        return None
