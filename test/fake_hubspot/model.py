"""Shared model of the fake HubSpot: property definitions, the record type,
value parsing and HubSpot-shaped error bodies.

Every property value is kept as a string (or absent = null), exactly as
HubSpot returns it; numeric and date interpretations are derived on demand.
"""

import datetime as _dt
import re
import time
import uuid

# Property types: "string" and "enum" compare as text (enum case-sensitively),
# "number" numerically, "datetime"/"date" as epoch milliseconds.
CONTACT_PROPERTIES = {
    "firstname": "string",
    "lastname": "string",
    "email": "string",
    "phone": "string",
    "company": "string",
    "lifecyclestage": "enum",
    "hs_lead_status": "enum",
    "affiliate_partner_id": "string",
    "affiliate_referral_date": "date",
    "source__c": "string",
    "utm_medium__c": "string",
    "utm_campaign__c": "string",
    "content__c": "string",
    "utm_term__c": "string",
    "jobtitle": "string",
    "hs_object_id": "number",
    "createdate": "datetime",
    "lastmodifieddate": "datetime",
}

DEAL_PROPERTIES = {
    "dealname": "string",
    "amount": "number",
    "pipeline": "enum",
    "dealstage": "enum",
    "closedate": "datetime",
    "affiliate_partner_id": "string",
    "affiliate_mrr": "number",
    "affiliate_subscription_status": "string",
    "dealtype": "enum",
    "hs_object_id": "number",
    "createdate": "datetime",
    "hs_lastmodifieddate": "datetime",
}


class ObjectType:
    """Static description of one HubSpot object type."""

    def __init__(self, name, properties, modified_prop, default_props):
        self.name = name
        self.properties = properties
        self.modified_prop = modified_prop
        self.default_props = default_props
        self.always = ("hs_object_id", "createdate", modified_prop)


OBJECT_TYPES = {
    "contacts": ObjectType("contacts", CONTACT_PROPERTIES, "lastmodifieddate",
                           ("firstname", "lastname", "email")),
    "deals": ObjectType("deals", DEAL_PROPERTIES, "hs_lastmodifieddate",
                        ("dealname", "amount", "closedate", "pipeline", "dealstage")),
}

# Properties held in Record slots rather than in Record.props.
SLOT_PROPS = ("hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate")


# ---------------------------------------------------------------------------
# Time and number helpers

_DAY_MS = 86400000
_day_prefix = {}


def iso_ms(ms):
    """Epoch milliseconds -> '2026-01-29T10:15:30.123Z'."""
    day, rem = divmod(ms, _DAY_MS)
    prefix = _day_prefix.get(day)
    if prefix is None:
        t = time.gmtime(day * 86400)
        prefix = _day_prefix[day] = "%04d-%02d-%02dT" % (t.tm_year, t.tm_mon, t.tm_mday)
    sec, milli = divmod(rem, 1000)
    return "%s%02d:%02d:%02d.%03dZ" % (prefix, sec // 3600, sec // 60 % 60, sec % 60, milli)


def day_ms(day):
    """datetime.date -> epoch ms of its midnight UTC."""
    return (day - _dt.date(1970, 1, 1)).days * 86400000


def now_ms():
    return int(time.time() * 1000)


_NUM_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_INT_RE = re.compile(r"^\s*[-+]?\d+\s*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_number(s):
    """A HubSpot number string -> int/float, or None when it does not parse."""
    if s is None:
        return None
    if _INT_RE.match(s):
        return int(s)
    if _NUM_RE.match(s):
        return float(s)
    return None


def to_epoch_ms(s):
    """Epoch-ms string, 'YYYY-MM-DD' or ISO 8601 datetime -> epoch ms, else None."""
    if s is None:
        return None
    s = s.strip()
    if _INT_RE.match(s):
        return int(s)
    try:
        if _DATE_RE.match(s):
            return day_ms(_dt.date.fromisoformat(s))
        d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return int(round(d.timestamp() * 1000))


# ---------------------------------------------------------------------------
# Records

class Record:
    """One CRM object. `props` holds the non-empty values of all properties
    except those in SLOT_PROPS, which live in slots."""

    __slots__ = ("id", "sid", "props", "created_ms", "updated_ms",
                 "created", "updated", "archived", "archived_at")

    def __init__(self, rid, props, created_ms, updated_ms=None, created=None, updated=None):
        self.id = rid
        self.sid = str(rid)
        self.props = props
        self.created_ms = created_ms
        self.created = created or iso_ms(created_ms)
        if updated_ms is None or updated_ms == created_ms:
            self.updated_ms = created_ms
            self.updated = updated or self.created
        else:
            self.updated_ms = updated_ms
            self.updated = updated or iso_ms(updated_ms)
        self.archived = False
        self.archived_at = None

    def get(self, name, modified_prop):
        """Value of property `name` as a string, or None."""
        if name == "hs_object_id":
            return self.sid
        if name == "createdate":
            return self.created
        if name == modified_prop:
            return self.updated
        return self.props.get(name)

    def set_updated(self, ms, iso=None):
        self.updated_ms = ms
        self.updated = iso or iso_ms(ms)

    def set_created(self, ms, iso=None):
        self.created_ms = ms
        self.created = iso or iso_ms(ms)


# ---------------------------------------------------------------------------
# Errors

DOCS_LINK = "https://developers.hubspot.com/docs/api/crm/search"

AUTH_MESSAGE = ("Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview")


def new_id():
    return str(uuid.uuid4())


class ApiError(Exception):
    """An error response: HTTP status plus a HubSpot-shaped JSON body.
    The correlationId is filled in when the response is sent."""

    def __init__(self, status, body, headers=None):
        super().__init__(body.get("message", "error") if isinstance(body, dict) else "error")
        self.status = status
        self.body = body
        self.headers = headers or {}


def error_body(message, category, **extra):
    body = {"status": "error", "message": message, "correlationId": None, "category": category}
    body.update(extra)
    return body


def validation_error(detail, field, code="400", sub_category="INVALID_PARAMETER",
                     message="There was a problem with the request."):
    """400 VALIDATION_ERROR shaped like HUBSPOT.md section 3.4."""
    context = {field: [detail]}
    return ApiError(400, {
        "status": "error",
        "message": message,
        "correlationId": None,
        "category": "VALIDATION_ERROR",
        "subCategory": None,
        "context": context,
        "errors": [{"message": detail, "in": field, "code": code,
                    "subCategory": sub_category, "context": context}],
        "links": {"documentation": DOCS_LINK},
    })


def auth_error():
    return ApiError(401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"))


def not_found(message="Resource not found"):
    return ApiError(404, error_body(message, "OBJECT_NOT_FOUND"))


def rate_limit_body(policy):
    if policy == "SECONDLY":
        message = "You have reached your secondly limit."
    elif policy == "DAILY":
        message = "You have reached your daily limit."
    else:
        message = "You have reached your ten_secondly_rolling limit."
    return {"status": "error", "message": message, "errorType": "RATE_LIMIT",
            "correlationId": None, "policyName": policy, "requestId": new_id()}


_STATUS_TEXT = {
    400: ("There was a problem with the request.", "VALIDATION_ERROR"),
    401: (AUTH_MESSAGE, "INVALID_AUTHENTICATION"),
    403: ("This app hasn't been granted all required scopes to make this call.",
          "MISSING_SCOPES"),
    404: ("Resource not found", "OBJECT_NOT_FOUND"),
    423: ("Resource is locked", "LOCKED"),
    500: ("Internal error", "INTERNAL_ERROR"),
    502: ("Bad gateway", "INTERNAL_ERROR"),
    503: ("Service unavailable", "INTERNAL_ERROR"),
    504: ("Gateway timeout", "INTERNAL_ERROR"),
}


def default_error_body(status):
    """The body a fault rule sends for `status` when it names none."""
    if status == 429:
        return rate_limit_body("TEN_SECONDLY_ROLLING")
    if status == 403:
        return error_body(_STATUS_TEXT[403][0], "MISSING_SCOPES",
                          errors=[{"message": "One or more of the following scopes are required.",
                                   "context": {"requiredScopes": ["crm.objects.contacts.read"]}}],
                          links={"scopes": "https://developers.hubspot.com/scopes"})
    message, category = _STATUS_TEXT.get(
        status, ("Internal error", "INTERNAL_ERROR") if status >= 500 else
        ("There was a problem with the request.", "VALIDATION_ERROR"))
    return error_body(message, category)
