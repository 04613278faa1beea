"""Deterministic data sets for the fake HubSpot.

build(name, seed=, today=, contacts=, deals=, partners=) returns a Dataset.
The same name, seed, sizes and `today` always give the same records: the only
randomness is random.Random(seed). Scenarios:

  seed000  the acceptance case of seeds/000 (1 partner, 3+2 contacts, 3+1 deals)
  problems seed000 plus one record for each attribution problem of seed 001's
           "Troubleshooting" (loop.attribution_problems), and a few clean ones
  demo     ~20 partners, 2,400 contacts, 330 deals, two pipelines, dirty data
  bench    N attributed contacts (+5% unattributed) and M deals over P partners
  empty    no records, default pipeline only
"""

import datetime as dt
import random
import re
import string
import unicodedata

from model import Record, day_ms, iso_ms

NAMES = ("seed000", "problems", "demo", "bench", "empty")
DAY = 86400000
EPOCH_ISO = "1970-01-01T00:00:00Z"
C0, D0 = 51000000001, 9100000001  # first contact / deal id (above 2^32)
SEED_PARTNER = "AP-20260129-AD2F73"


class Dataset:
    def __init__(self, contacts, deals, pipelines, partners, info):
        self.contacts = contacts    # list of Record, ascending ids
        self.deals = deals          # list of Record, ascending ids
        self.pipelines = pipelines  # JSON-ready list of pipelines
        self.partners = partners    # [{"partner_id", "name", "email"}]
        self.info = info            # scenario name and parameters


def utc_today():
    return dt.datetime.now(dt.timezone.utc).date()


def build(name, seed=42, today=None, contacts=100000, deals=20000, partners=100):
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    today = today or utc_today()
    info = {"scenario": name, "seed": seed, "today": today.isoformat()}
    if name == "seed000":
        c, d, pl, pa = _seed000(today)
    elif name == "problems":
        c, d, pl, pa = _problems(today)
    elif name == "demo":
        c, d, pl, pa = _demo(random.Random(seed), today)
    elif name == "bench":
        info.update(contacts_requested=contacts, deals_requested=deals, partners_requested=partners)
        c, d, pl, pa = _bench(random.Random(seed), today, contacts, deals, partners)
    elif name == "empty":
        c, d, pl, pa = [], [], [default_pipeline()], []
    else:
        raise ValueError("unknown scenario %r (choose from %s)" % (name, ", ".join(NAMES)))
    return Dataset(c, d, pl, pa, info)


def partners_sql(partners):
    """INSERT statement for loop.partner, or a comment when there are none."""
    if not partners:
        return "-- no partners in this scenario\n"
    q = lambda s: "'" + str(s).replace("'", "''") + "'"
    rows = ",\n  ".join("(%s, %s, %s, 'active')" % (q(p["partner_id"]), q(p["name"]), q(p["email"]))
                        for p in partners)
    return "INSERT INTO loop.partner (partner_id, name, email, status) VALUES\n  %s;\n" % rows


# ---------------------------------------------------------------------------
# Pipelines

def _stage(sid, label, order, prob, closed, created=EPOCH_ISO, updated=EPOCH_ISO):
    return {"id": sid, "label": label, "displayOrder": order,
            "metadata": {"isClosed": "true" if closed else "false", "probability": prob},
            "createdAt": created, "updatedAt": updated, "archived": False}


DEFAULT_STAGES = (  # id, English label, German label, probability, closed
    ("appointmentscheduled", "Appointment Scheduled", "Termin vereinbart", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "Kaufbereit", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "Demo geplant", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "Entscheider überzeugt", "0.8", False),
    ("contractsent", "Contract Sent", "Vertrag versendet", "0.9", False),
    ("closedwon", "Closed Won", "Gewonnen", "1.0", True),
    ("closedlost", "Closed Lost", "Verloren", "0.0", True),
)
DEFAULT_OPEN = [s[0] for s in DEFAULT_STAGES if not s[4]]


def default_pipeline(german=False):
    stages = [_stage(sid, de if german else en, i, prob, closed)
              for i, (sid, en, de, prob, closed) in enumerate(DEFAULT_STAGES)]
    return {"id": "default", "label": "Vertriebspipeline" if german else "Sales Pipeline",
            "displayOrder": 0, "createdAt": EPOCH_ISO, "updatedAt": "2025-03-01T12:00:00.000Z",
            "archived": False, "stages": stages}


ABO_PIPELINE = "75849302"
ABO_STAGES = (  # id, label, probability, closed
    ("101010100", "Interesse gemeldet", "0.0", False),  # early open stage, probability 0
    ("101010101", "Erstgespräch", "0.2", False),
    ("101010102", "Angebot", "0.6", False),
    ("101010103", "Vertrag unterschrieben", "1.0", True),
    ("101010104", "Abgesagt", "0.0", True),
)
ABO_OPEN = [s[0] for s in ABO_STAGES if not s[3]]


def abo_pipeline():
    created, updated = "2025-03-14T09:30:00.000Z", "2025-11-02T16:45:12.000Z"
    return {"id": ABO_PIPELINE, "label": "Partner-Abos", "displayOrder": 1,
            "createdAt": created, "updatedAt": updated, "archived": False,
            "stages": [_stage(sid, label, i, prob, closed, created, updated)
                       for i, (sid, label, prob, closed) in enumerate(ABO_STAGES)]}


# ---------------------------------------------------------------------------
# seed000: the acceptance case

def _seed000(today):
    t0 = day_ms(today)
    at = lambda days, h, m, s, ms=0: t0 - days * DAY + ((h * 60 + m) * 60 + s) * 1000 + ms
    ref = lambda days: today - dt.timedelta(days=days)

    def contact(rid, created, updated, **props):
        return Record(rid, {k: v for k, v in props.items() if v is not None}, created, updated)

    common = dict(affiliate_partner_id=SEED_PARTNER, content__c=None, utm_term__c=None)
    contacts = [
        contact(C0, at(14, 9, 15, 22, 481), at(2, 16, 40, 3, 112),
                firstname="Markus", lastname="Weber", email="markus.weber@gastro-weber.de",
                phone="+49 30 5550101", company="Gastro-Betrieb Weber GmbH",
                jobtitle="Geschäftsführer", lifecyclestage="lead", hs_lead_status="NEW",
                affiliate_referral_date=ref(14).isoformat(),
                source__c="linkedin", utm_medium__c="social", utm_campaign__c="partner-q1-2026",
                **common),
        contact(C0 + 1, at(13, 11, 2, 9, 5), at(13, 11, 2, 9, 5),
                firstname="Julia", lastname="Neumann", email="julia.neumann@neumann-logistik.de",
                phone="+49 40 5550177", company="Neumann Logistik GmbH",
                lifecyclestage="subscriber", source__c="google", utm_medium__c="cpc"),
        contact(C0 + 2, at(12, 14, 48, 51, 930), at(3, 8, 5, 44, 270),
                firstname="Anna", lastname="Schmidt", email="anna.schmidt@hotel-sonnenhof.de",
                phone="+49 8821 555023", company="Hotel Sonnenhof GmbH", jobtitle="Direktorin",
                lifecyclestage="marketingqualifiedlead", hs_lead_status=None,
                affiliate_referral_date=str(day_ms(ref(12))),
                source__c="affiliate", utm_medium__c="newsletter",
                utm_campaign__c="partner-newsletter-feb", **common),
        contact(C0 + 3, at(11, 10, 30, 0, 17), at(1, 13, 12, 58, 604),
                firstname="Thomas", lastname="Fischer", email="thomas.fischer@baeckerei-fischer.de",
                phone="+49 89 5550342", company="Bäckerei Fischer GmbH", jobtitle="Inhaber",
                lifecyclestage="opportunity", hs_lead_status="IN_PROGRESS",
                affiliate_referral_date=ref(11).isoformat() + "T00:00:00.000Z",
                source__c="partner", utm_medium__c="email", utm_campaign__c="demo-kampagne",
                **common),
        contact(C0 + 4, at(9, 17, 20, 11, 342), at(5, 9, 0, 0, 1),
                firstname="Stefan", lastname="Braun", email="s.braun@braun-pflege.de",
                company="Pflegedienst Braun", lifecyclestage="lead", hs_lead_status="OPEN"),
    ]

    def deal(rid, name, mrr, status, closed_days, created_days):
        close = at(closed_days, 12, 0, 0)
        created = at(created_days, 10, 5 * (rid - D0), 17, 250)
        props = {"dealname": name, "amount": mrr, "pipeline": "default", "dealstage": "closedwon",
                 "closedate": iso_ms(close), "dealtype": "newbusiness"}
        if mrr:
            props.update(affiliate_partner_id=SEED_PARTNER, affiliate_mrr=mrr,
                         affiliate_subscription_status=status)
        else:
            props["amount"] = "120"
        return Record(rid, props, created, close + 1800000)

    deals = [
        deal(D0, "Gastro-Betrieb Weber – Ordio Schichtplanung", "89", "Active", 10, 40),
        deal(D0 + 1, "Hotel Sonnenhof – Ordio Zeiterfassung", "150", "Active", 20, 39),
        deal(D0 + 2, "Bäckerei Fischer – Ordio Starter", "200", "Paused", 30, 38),
        deal(D0 + 3, "Müller Gastronomie – Ordio Schichtplanung", None, None, 15, 21),
    ]
    partners = [{"partner_id": SEED_PARTNER, "name": "Loop Testpartner",
                 "email": "testpartner@example.com"}]
    return contacts, deals, [default_pipeline()], partners


# ---------------------------------------------------------------------------
# problems: seed000 plus the attribution problems sales must fix in HubSpot

UNKNOWN_PARTNER = "AP-20250101-NOSUCH"  # a well-formed id no partner has


def _problems(today):
    """seed000 plus, per problem of seed 001 "Troubleshooting", records that
    show it (the comment names the problem code of loop.attribution_problems),
    and records that look odd but are fine. Ids continue after seed000's."""
    contacts, deals, pipelines, partners = _seed000(today)
    t0 = day_ms(today)
    at = lambda days, hour: t0 - days * DAY + hour * 3600000

    def contact(rid, first, last, pid, days):
        return Record(rid, {"firstname": first, "lastname": last,
                            "email": "%s.%s@example.org" % (first.lower(), last.lower()),
                            "lifecyclestage": "lead", "affiliate_partner_id": pid,
                            "affiliate_referral_date": (today - dt.timedelta(days=days)).isoformat()},
                      at(days, 9), at(days, 10))

    contacts += [
        contact(C0 + 5, "Lea", "Unbekannt", UNKNOWN_PARTNER, 8),           # unknown_partner
        contact(C0 + 6, "Ole", "Kleinschreibung", SEED_PARTNER.lower(), 7),  # unknown_partner (case)
        contact(C0 + 7, "Ida", "Leerzeichen", " %s " % SEED_PARTNER, 6),   # unknown_partner (spaces)
    ]

    def deal(rid, name, stage, mrr, status, pid=SEED_PARTNER, days=5):
        props = {"dealname": name, "pipeline": "default", "dealstage": stage,
                 "closedate": iso_ms(at(days, 12)), "dealtype": "newbusiness",
                 "affiliate_partner_id": pid}
        if mrr is not None:
            props["affiliate_mrr"] = mrr
        if status is not None:
            props["affiliate_subscription_status"] = status
        return Record(rid, props, at(days + 20, 11), at(days, 13))

    deals += [
        deal(D0 + 4, "Problem – MRR n/a", "closedwon", "n/a", "Active"),            # mrr_invalid
        deal(D0 + 5, "Problem – MRR 0", "closedwon", "0", "Active"),                # mrr_not_positive
        deal(D0 + 6, "Problem – MRR negativ", "closedwon", "-49", "Paused"),        # mrr_not_positive
        deal(D0 + 7, "Problem – Status Gekündigt", "closedwon", "129", "Gekündigt"),  # status_invalid
        deal(D0 + 8, "Problem – gewonnen ohne MRR", "closedwon", None, None),        # won_mrr_missing,
                                                                                     # won_status_missing
        deal(D0 + 9, "Problem – offen ohne MRR", "contractsent", None, None),        # mrr_missing, status_missing
        deal(D0 + 10, "Problem – unbekannter Partner", "closedwon", "75", "Active",
             pid=UNKNOWN_PARTNER),                                                   # unknown_partner
        deal(D0 + 11, "Problem – MRR mit Komma", "presentationscheduled", "89,50",
             "Active"),                                                             # mrr_invalid
        deal(D0 + 12, "Problem – verloren, MRR tbd", "closedlost", "tbd", "Cancelled"),  # mrr_invalid
        deal(D0 + 13, "Problem – MRR leer", "closedwon", "   ", "Active"),           # won_mrr_missing
        deal(D0 + 14, "OK – verloren ohne MRR", "closedlost", None, None),           # fine: lost needs none
        deal(D0 + 15, "OK – Status in Großbuchstaben", "closedwon", "99", " ACTIVE "),  # fine
        deal(D0 + 16, "OK – MRR mit Nachkommastellen", "closedwon", "49.90", "cancelled"),  # fine
    ]
    return contacts, deals, pipelines, partners


# ---------------------------------------------------------------------------
# demo: realistic, skewed and a little dirty

FIRST = ("Markus", "Anna", "Thomas", "Julia", "Stefan", "Laura", "Michael", "Sarah", "Andreas",
         "Katharina", "Jan", "Lena", "Florian", "Sophie", "Tobias", "Marie", "Christian", "Lea",
         "Daniel", "Hannah", "Sebastian", "Jana", "Matthias", "Nina", "Jörg", "Özlem", "Björn",
         "Ümit", "Frauke", "Sören")
LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
        "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
        "Schmitt", "Werner", "Krause", "Meier", "Lehmann")
TRADES = ("Gastro", "Hotel", "Bäckerei", "Café", "Restaurant", "Pflegedienst", "Fitnessstudio",
          "Einzelhandel", "Reinigung", "Praxis", "Eiscafé", "Brauhaus", "Metzgerei", "Kita")
FORMS = ("GmbH", "GmbH & Co. KG", "e.K.", "UG (haftungsbeschränkt)", "", "KG", "OHG")
PRODUCTS = ("Ordio Schichtplanung", "Ordio Zeiterfassung", "Ordio Starter", "Ordio Pro",
            "Ordio Komplett")
PARTNER_NAMES = (
    "Digitalagentur Nordlicht", "Steuerbüro Hoffmann & Partner", "Gastro-Beratung Becker",
    "Hotel-Consulting Alpenblick", "Lohnbüro Krüger", "Marketing Werkstatt Süd",
    "D'Angelo Gastro Consulting", "Kanzlei Schäfer Lohn & Personal", "HR-Lotsen Hamburg",
    "Bäckerei-Netzwerk Franken", "Café-Kollektiv Leipzig", "Personalpraxis Wolf",
    "Pflege-Partner Rhein-Main", "Gründerhaus Köln", "Fitness Business Coaching Lange",
    "Eventagentur Sonnenschein", "Filialberatung Zimmermann", "Digital-Lotse Schröder",
    "Systemgastro Experten Krause", "Franchise Forum Ost")
LIFECYCLE = (("subscriber", 10), ("lead", 38), ("marketingqualifiedlead", 15),
             ("salesqualifiedlead", 8), ("opportunity", 11), ("customer", 13),
             ("evangelist", 2), ("other", 3))
LEAD_STATUS = (("NEW", 20), ("OPEN", 12), ("IN_PROGRESS", 12), ("OPEN_DEAL", 8),
               ("UNQUALIFIED", 6), ("ATTEMPTED_TO_CONTACT", 8), ("CONNECTED", 8),
               ("BAD_TIMING", 4), (None, 22))
SOURCES = ("linkedin", "newsletter", "affiliate", "partner", "google", "facebook", "instagram",
           "xing", "whatsapp", "website")
MEDIUMS = ("social", "email", "referral", "cpc", "newsletter", "organic")
CAMPAIGNS = ("partner-q1-2026", "partner-newsletter-feb", "demo-kampagne", "fruehjahr-2025",
             "black-friday-2025", "webinar-zeiterfassung", "sommer-aktion")
CONTENTS = ("banner", "textlink", "footer", "cta-button")
TERMS = ("schichtplanung", "zeiterfassung", "dienstplan")
JOBS = ("Geschäftsführer", "Inhaberin", "Inhaber", "Betriebsleiter", "HR-Managerin",
        "Filialleiter", "Office Managerin", None)


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _maybe(rng, p_null, values):
    return None if rng.random() < p_null else rng.choice(values)


def _slug(s):
    """'Café Müller & Co' -> 'cafe-mueller-co' (ASCII only)."""
    s = s.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def _partner_id(rng, day, used):
    while True:
        pid = "AP-%s-%s" % (day.strftime("%Y%m%d"),
                            "".join(rng.choice(string.ascii_uppercase + string.digits)
                                    for _ in range(6)))
        if pid not in used:
            used.add(pid)
            return pid


def _partners(rng, today, count, names=None):
    start = dt.date(2025, 1, 1)
    end = min(today - dt.timedelta(days=1), dt.date(2026, 12, 31))
    span = max((end - start).days, 1)
    days = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(count))
    used, out = set(), []
    for i, day in enumerate(days):
        name = names[i] if names else "Bench Partner %03d" % (i + 1)
        out.append({"partner_id": _partner_id(rng, day, used), "name": name,
                    "email": "%s@example.com" % _slug(name)[:40]})
    return out


def _date_forms(rng, ms, weights=(60, 20, 20)):
    """One midnight date in one of the three forms HubSpot returns."""
    ms -= ms % DAY
    form = rng.choices((0, 1, 2), weights)[0]
    if form == 0:
        return iso_ms(ms)[:10]
    if form == 1:
        return str(ms)
    return iso_ms(ms)


def _demo(rng, today):
    t_end = day_ms(today) - 3600000  # everything happened before 23:00 yesterday
    partners = _partners(rng, today, len(PARTNER_NAMES), list(PARTNER_NAMES))
    order = list(range(len(partners)))
    rng.shuffle(order)
    weights = [0.0] * len(partners)
    for rank, idx in enumerate(order[:-3]):  # the last three get no leads at all
        weights[idx] = 1.0 / (rank + 1) ** 1.1
    pids = [p["partner_id"] for p in partners]
    ghosts, used = [], set(pids)
    for _ in range(3):
        ghosts.append(_partner_id(rng, dt.date(2025, rng.randrange(1, 13), 1 + rng.randrange(28)),
                                  used))

    n_attr, n_unattr = 2000, 400
    flags = [True] * n_attr + [False] * n_unattr
    rng.shuffle(flags)
    created = sorted(t_end - rng.randrange(500 * DAY) for _ in flags)
    contacts, rid = [], C0
    for attributed, c_ms in zip(flags, created):
        first, last, trade = rng.choice(FIRST), rng.choice(LAST), rng.choice(TRADES)
        company = ("%s %s %s" % (trade, last, rng.choice(FORMS))).strip()
        props = {"firstname": first, "lastname": last,
                 "email": "%s.%s%d@%s.de" % (_slug(first), _slug(last), rng.randrange(100),
                                             _slug(trade + "-" + last)),
                 "company": company,
                 "lifecyclestage": _weighted(rng, LIFECYCLE),
                 "hs_lead_status": _weighted(rng, LEAD_STATUS),
                 "jobtitle": rng.choice(JOBS)}
        if rng.random() < 0.8:
            props["phone"] = "+49 %d %d" % (rng.randrange(30, 9999), rng.randrange(100000, 9999999))
        if attributed:
            props["affiliate_partner_id"] = (rng.choice(ghosts) if rng.random() < 0.01
                                             else rng.choices(pids, weights)[0])
            if rng.random() < 0.95:
                props["affiliate_referral_date"] = _date_forms(rng, c_ms)
            props["source__c"] = _maybe(rng, 0.15, SOURCES)
            props["utm_medium__c"] = _maybe(rng, 0.2, MEDIUMS)
            props["utm_campaign__c"] = _maybe(rng, 0.3, CAMPAIGNS)
            props["content__c"] = _maybe(rng, 0.7, CONTENTS)
            props["utm_term__c"] = _maybe(rng, 0.85, TERMS)
        elif rng.random() < 0.5:
            props["source__c"] = rng.choice(("google", "website", "facebook"))
        u_ms = c_ms + rng.randrange(max(t_end - c_ms, 1))
        contacts.append(Record(rid, {k: v for k, v in props.items() if v is not None}, c_ms, u_ms))
        rid += rng.randrange(1, 4)  # real ids grow with gaps

    deals = _demo_deals(rng, t_end, pids, weights, today)
    return contacts, deals, [default_pipeline(german=True), abo_pipeline()], partners


def _demo_deals(rng, t_end, pids, weights, today):
    specs = []
    for attributed in [True] * 300 + [False] * 30:
        kind = rng.choices(("won", "lost", "open"), (55, 20, 25))[0]
        abo = rng.random() < 0.4
        if kind == "won":
            stage = "101010103" if abo else "closedwon"
        elif kind == "lost":
            stage = "101010104" if abo else "closedlost"
        else:
            stage = rng.choice(ABO_OPEN if abo else DEFAULT_OPEN)
        close = t_end - int(400 * DAY * rng.random() ** 2)  # more recent deals are likelier
        close -= close % DAY
        close += (9 + rng.randrange(9)) * 3600000
        created = close - rng.randrange(5, 90) * DAY - rng.randrange(DAY)
        specs.append((created, close, attributed, stage, abo))
    specs.sort()
    deals, rid = [], D0
    for created, close, attributed, stage, abo in specs:
        last, trade = rng.choice(LAST), rng.choice(TRADES)
        form = rng.choices((0, 1, 2), (80, 10, 10))[0]
        closedate = (iso_ms(close) if form == 0 else str(close - close % DAY) if form == 1
                     else iso_ms(close)[:10])
        props = {"dealname": "%s %s – %s" % (trade, last, rng.choice(PRODUCTS)),
                 "pipeline": ABO_PIPELINE if abo else "default", "dealstage": stage,
                 "closedate": closedate,
                 "dealtype": rng.choice(("newbusiness", "newbusiness", "existingbusiness"))}
        mrr = rng.randrange(49, 500)
        if rng.random() < 0.3:
            mrr_s = "%d.%02d" % (mrr, rng.choice((0, 50, 90, 95, 25)))
        else:
            mrr_s = str(mrr)
        props["amount"] = str(mrr * 12)
        if attributed:
            props["affiliate_partner_id"] = rng.choices(pids, weights)[0]
            r = rng.random()
            if r < 0.03:
                pass  # missing affiliate_mrr
            elif r < 0.04:
                props["affiliate_mrr"] = rng.choice(("n/a", "12,5.3", "tbd"))
            else:
                props["affiliate_mrr"] = mrr_s
            if rng.random() >= 0.02:
                status = rng.choices(("Active", "Paused", "Cancelled"), (70, 15, 15))[0]
                case = rng.random()
                props["affiliate_subscription_status"] = (
                    status.lower() if case < 0.1 else status.upper() if case < 0.2 else status)
        modified = min(max(close, created) + rng.randrange(3 * DAY), t_end)
        deals.append(Record(rid, props, created, max(modified, created)))
        rid += rng.randrange(1, 3)
    return deals


# ---------------------------------------------------------------------------
# bench: large and fast

def _bench(rng, today, n_contacts, n_deals, n_partners):
    t_end = day_ms(today) - 3600000
    partners = _partners(rng, today, max(n_partners, 1))
    pids = [p["partner_id"] for p in partners]
    n_unattr = n_contacts // 20
    total = n_contacts + n_unattr
    start = t_end - 400 * DAY
    step = max((t_end - start) // max(total, 1), 1)
    days = {}
    lifecycle = ("lead", "lead", "marketingqualifiedlead", "opportunity", "customer", "subscriber")
    status = ("NEW", "OPEN", "IN_PROGRESS", "CONNECTED")
    sources = ("linkedin", "newsletter", "partner", "affiliate")
    rand, np_ = rng.random, len(pids)
    contacts = []
    for i in range(total):
        rid = C0 + i
        c_ms = start + i * step
        props = {"firstname": FIRST[i % 30], "lastname": LAST[(i // 30) % 30],
                 "email": "lead%d@bench.example" % rid, "company": LAST[i % 30] + " GmbH",
                 "lifecyclestage": lifecycle[int(rand() * 6)]}
        if i % 21 == 20 and i // 21 < n_unattr:
            props["source__c"] = "google"
        else:
            props["affiliate_partner_id"] = pids[int(rand() * np_)]
            props["hs_lead_status"] = status[i % 4]
            props["source__c"] = sources[i % 4]
            props["utm_medium__c"] = "referral"
            day = c_ms // DAY
            ref = days.get(day)
            if ref is None:
                ref = days[day] = iso_ms(day * DAY)[:10]
            props["affiliate_referral_date"] = ref
        contacts.append(Record(rid, props, c_ms))
    deals = []
    dstep = max((t_end - start) // max(n_deals, 1), 1)
    for j in range(n_deals):
        r = rand()
        stage = "closedwon" if r < 0.7 else "closedlost" if r < 0.85 else DEFAULT_OPEN[j % 5]
        created = start + j * dstep
        close = min(created + int(rand() * 30) * DAY, t_end)
        mrr = 49 + int(rand() * 451)
        props = {"dealname": "Bench Deal %d" % j, "amount": str(mrr * 12), "pipeline": "default",
                 "dealstage": stage, "closedate": iso_ms(close),
                 "affiliate_partner_id": pids[int(rand() * np_)], "affiliate_mrr": str(mrr),
                 "affiliate_subscription_status": ("Active", "Active", "Paused", "Cancelled")[j % 4]}
        deals.append(Record(D0 + j, props, created, close))
    return contacts, deals, [default_pipeline()], partners
