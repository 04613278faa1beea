"""test/e2e/test_auth.py — the account life cycle seen from outside the database.

- JWTs from api.login verify with an HS256 implementation written here
  (hmac + hashlib + base64, nothing of loop's SQL), with the secret this test
  set; exp - iat is the jwt_ttl_seconds setting; flipping any byte of the
  payload or the signature, or any character of the token, breaks them.
- The raw verification and reset tokens (read as the mailer would, through
  loop.outbox_claim as loop_mailer) appear nowhere in `pg_dump --data-only`,
  nor in any table; neither does the JWT secret.
- Login timing: 50 trials each of an unknown email and a wrong password
  (SECURITY.md §7 item 9); the medians are printed and must be within 20 %.

Every API call is one emulated PostgREST request (SECURITY.md §1.4) run by psql
as loop_authenticator. Needs PGHOST/PGPORT/PGUSER of a cluster where the
extension is installed: python3 -m unittest discover -s test/e2e -p 'test_auth.py'
"""

import base64
import hashlib
import hmac
import json
import secrets
import statistics
import subprocess
import time
import unittest

from harness import create_database, psql, quote

PASSWORD = "Korrekt-Pferd-Batterie-1"
NEW_PASSWORD = "Korrekt-Pferd-Batterie-2"
EMAIL = "e2e.auth@partner.example"

REQUEST = """SET SESSION AUTHORIZATION loop_authenticator;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT set_config('search_path', '"api", "public"', true), set_config('role', {role}, true),
       set_config('request.jwt.claims', {claims}, true), set_config('request.method', 'POST', true),
       set_config('request.path', {path}, true), set_config('request.headers', '{{}}', true),
       set_config('request.cookies', '{{}}', true) \\g /dev/null
SELECT loop.pre_request() \\g /dev/null
"""


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_verify(token, secret):
    """The claims of a compact HS256 JWS, or ValueError. Only alg HS256 is
    accepted, each part must be canonical base64url, and the signature is
    compared in constant time."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not three parts")
    try:
        raw = [b64url_decode(p) for p in parts]
    except (ValueError, TypeError) as e:
        raise ValueError("bad base64url") from e
    if [b64url_encode(r) for r in raw] != parts:
        raise ValueError("non-canonical base64url")
    header = json.loads(raw[0])
    if header.get("alg") != "HS256":
        raise ValueError("alg is not HS256")
    expected = hmac.new(secret.encode(), (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(raw[2], expected):
        raise ValueError("bad signature")
    return json.loads(raw[1])


def psql_script(db, script):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"],
                         input=script, capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError("psql failed:\n%s\n%s" % (script, out.stderr))
    return out.stdout


def request(db, call, path, role="loop_anon", claims='{"role":"loop_anon"}'):
    """One emulated PostgREST request; returns {"body": <json>, "status": response.status}."""
    script = REQUEST.format(role=quote(role), claims=quote(claims), path=quote(path))
    script += "SELECT (%s)::text AS body \\gset\n" % call
    script += ("SELECT json_build_object('body', :'body'::json, "
               "'status', current_setting('response.status', true));\nCOMMIT;\n")
    return json.loads(psql_script(db, script).strip().splitlines()[-1])


def claim_mail(db):
    """The mailer's view: every pending message, decrypted (marks them sent)."""
    return json.loads(psql(db, "SET ROLE loop_mailer; SELECT coalesce(json_agg(m ORDER BY m.message_id), '[]') "
                               "FROM loop.outbox_claim(100) m"))


def tables_containing(db, needle, skip=None):
    """How many tables (any schema but the catalogs) have a row whose text contains needle."""
    return int(psql(db, """
        CREATE TEMP TABLE hits (t regclass);
        DO $$
        DECLARE t regclass; hit boolean;
        BEGIN
            FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                      WHERE c.relkind IN ('r', 'p') AND s.nspname NOT IN ('pg_catalog', 'information_schema')
                        AND s.nspname NOT LIKE 'pg_temp%%' AND c.oid::regclass::text IS DISTINCT FROM %s LOOP
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %%s x WHERE strpos(x::text, $1) > 0)', t)
                   INTO hit USING %s;
                IF hit THEN INSERT INTO hits VALUES (t); END IF;
            END LOOP;
        END $$;
        SELECT count(*) FROM hits""" % (quote(skip) if skip else "NULL", quote(needle))))


class AuthLifecycle(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.db = "e2e_auth"
        create_database(cls.db)
        cls.secret = secrets.token_urlsafe(36)          # 48 characters from the CSPRNG
        psql(cls.db, "SET log_statement = 'none'; SELECT loop.set_jwt_secret(%s)" % quote(cls.secret))
        cls.ttl = int(psql(cls.db, "SELECT loop.setting_value('jwt_ttl_seconds')"))
        cls.raw_tokens = []

        r = request(cls.db, "api.register('E2E Auth', %s, %s, true)" % (quote(EMAIL), quote(PASSWORD)),
                    "/rpc/register")
        cls.partner_id = r["body"]["partner_id"]
        mails = claim_mail(cls.db)
        assert [m["kind"] for m in mails] == ["verify_email"], mails
        cls.raw_tokens.append(mails[0]["message"]["token"])
        r = request(cls.db, "api.verify_email(%s)" % quote(cls.raw_tokens[0]), "/rpc/verify_email")
        assert r["body"]["status"] == "active", r

        r = request(cls.db, "api.request_password_reset(%s)" % quote(EMAIL), "/rpc/request_password_reset")
        mails = claim_mail(cls.db)
        assert [m["kind"] for m in mails] == ["reset_password"], mails
        cls.raw_tokens.append(mails[0]["message"]["token"])
        r = request(cls.db, "api.reset_password(%s, %s)" % (quote(cls.raw_tokens[1]), quote(NEW_PASSWORD)),
                    "/rpc/reset_password")
        assert r["body"]["password_reset"] is True, r
        cls.login = request(cls.db, "api.login(%s, %s)" % (quote(EMAIL), quote(NEW_PASSWORD)), "/rpc/login")

    # ------------------------------------------------------------------ JWT

    def token(self):
        self.assertIsNone(self.login["status"])
        return self.login["body"]["token"]

    def test_jwt_verifies_with_independent_hs256(self):
        token = self.token()
        header = json.loads(b64url_decode(token.split(".")[0]))
        self.assertEqual(header, {"alg": "HS256", "typ": "JWT"})
        claims = hs256_verify(token, self.secret)
        self.assertEqual(claims["role"], "loop_partner")
        self.assertEqual(claims["partner_id"], self.partner_id)
        self.assertIn("exp", claims)
        self.assertIsInstance(claims["token_version"], int)
        self.assertEqual(claims["exp"] - claims["iat"], self.ttl)
        self.assertLess(abs(claims["iat"] - time.time()), 120)
        self.assertEqual(self.login["body"]["role"], "loop_partner")
        self.assertEqual(self.login["body"]["partner_id"], self.partner_id)

    def test_jwt_other_secret_fails(self):
        with self.assertRaises(ValueError):
            hs256_verify(self.token(), self.secret + "x")
        with self.assertRaises(ValueError):
            hs256_verify(self.token(), secrets.token_urlsafe(36))

    def test_jwt_flipped_bytes_fail(self):
        token = self.token()
        parts = token.split(".")
        flips = 0
        for index in (1, 2):                            # payload and signature, byte by byte
            raw = b64url_decode(parts[index])
            for i in range(len(raw)):
                for bit in (0x01, 0x80):
                    changed = bytearray(raw)
                    changed[i] ^= bit
                    forged = parts.copy()
                    forged[index] = b64url_encode(bytes(changed))
                    with self.assertRaises(ValueError, msg="flip of byte %d in part %d verified" % (i, index)):
                        hs256_verify(".".join(forged), self.secret)
                    flips += 1
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for i, ch in enumerate(token):                  # and character by character
            if ch == ".":
                continue
            other = alphabet[(alphabet.index(ch) + 1) % 64]
            with self.assertRaises(ValueError, msg="change of character %d verified" % i):
                hs256_verify(token[:i] + other + token[i + 1:], self.secret)
            flips += 1
        self.assertGreater(flips, 300)

    def test_jwt_alg_none_fails(self):
        parts = self.token().split(".")
        none = b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        with self.assertRaises(ValueError):
            hs256_verify(none + "." + parts[1] + ".", self.secret)
        with self.assertRaises(ValueError):
            hs256_verify(none + "." + parts[1] + "." + parts[2], self.secret)

    def test_token_accepted_by_pre_request(self):
        claims = json.dumps(hs256_verify(self.token(), self.secret))
        r = request(self.db, "api.update_profile('E2E Auth Neu')", "/rpc/update_profile",
                    role="loop_partner", claims=claims)
        self.assertEqual(r["body"], {"partner_id": self.partner_id, "name": "E2E Auth Neu"})

    # ------------------------------------------------------------------ raw tokens

    def test_raw_tokens_absent_from_dump_and_tables(self):
        dump = subprocess.run(["pg_dump", "--data-only", "-d", self.db], capture_output=True, text=True)
        self.assertEqual(dump.returncode, 0, dump.stderr)
        # the dump does hold the account data (so the search below means something)
        self.assertIn(EMAIL, dump.stdout)
        self.assertIn("loop.partner_auth", dump.stdout)
        self.assertIn("loop.auth_token", dump.stdout)
        self.assertEqual(len(self.raw_tokens), 2)
        for token in self.raw_tokens:
            self.assertEqual(len(token), 43)
            self.assertNotIn(token, dump.stdout)
            self.assertNotIn(token.rstrip("=")[:20], dump.stdout)
            # only its SHA-256 is stored
            sha = hashlib.sha256(token.encode()).hexdigest()
            self.assertIn(sha, dump.stdout)
        self.assertNotIn(self.secret, dump.stdout)
        # every table of the database, dumped or not (the outbox is not); the
        # scan finds what is there (the email), so its zeros mean something
        self.assertGreater(tables_containing(self.db, EMAIL), 0)
        for token in self.raw_tokens + [self.secret]:
            self.assertEqual(tables_containing(self.db, token, skip="loop.jwt_secret"), 0)

    # ------------------------------------------------------------------ timing

    def test_login_timing_unknown_email_vs_wrong_password(self):
        trials = 50
        script = []
        for i in range(trials):
            calls = [("unknown", "nobody-%d-%s@partner.example" % (i, secrets.token_hex(4))),
                     ("wrong", EMAIL)]
            if i % 2:
                calls.reverse()                         # alternate the order
            for kind, email in calls:
                script.append("RESET SESSION AUTHORIZATION;\nDELETE FROM loop.login_throttle;\n")
                script.append(REQUEST.format(role="'loop_anon'", claims="'{\"role\":\"loop_anon\"}'",
                                             path="'/rpc/login'"))
                script.append("SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset\n")
                script.append("SELECT api.login(%s, 'Falsches-Passwort-9')::text AS body \\gset\n" % quote(email))
                script.append("SELECT json_build_object('kind', %s, "
                              "'ms', (extract(epoch FROM clock_timestamp()) - :t0) * 1000, "
                              "'body', :'body'::json, 'status', current_setting('response.status', true));\n"
                              "COMMIT;\n" % quote(kind))
        script.append("RESET SESSION AUTHORIZATION;\nDELETE FROM loop.login_throttle;\n")
        rows = [json.loads(line) for line in psql_script(self.db, "".join(script)).splitlines() if line.startswith("{")]
        self.assertEqual(len(rows), 2 * trials)
        # identical answers and status
        self.assertEqual({json.dumps(r["body"], sort_keys=True) for r in rows},
                         {json.dumps({"error": "invalid_credentials", "message": "Invalid email or password."},
                                     sort_keys=True)})
        self.assertEqual({r["status"] for r in rows}, {"401"})
        unknown = statistics.median(r["ms"] for r in rows if r["kind"] == "unknown")
        wrong = statistics.median(r["ms"] for r in rows if r["kind"] == "wrong")
        print("\nlogin timing, %d trials each: median unknown email %.1f ms, median wrong password %.1f ms "
              "(difference %.1f %%)" % (trials, unknown, wrong, 100 * abs(unknown - wrong) / max(unknown, wrong)))
        self.assertLess(abs(unknown - wrong) / max(unknown, wrong), 0.20)


if __name__ == "__main__":
    unittest.main()
