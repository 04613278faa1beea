-- sql/71_api_content.sql — loop extension install script, part 7b: referral links and the asset library
--
-- Content the program team maintains (site pages, UTM presets, resources) in
-- loop tables, and the api views and function that build partner links from
-- it (seed 001 "Referral-URLs" and "Resources"). A referral link is
--   <site_url><path>?affiliate=<partner_id>&utm_source=…&utm_medium=…&utm_campaign=…&utm_content=…&utm_term=…
-- (seed 001 "How Referred Leads Are Linked", "UTM Parameters"): attribution is
-- the affiliate parameter, UTM values only feed campaign analytics; every
-- value is percent-encoded (RFC 3986), absent or blank UTM values are left out.
-- The content is the same for every partner, but it is shown only to a
-- request whose claims name an existing partner (row-level security below),
-- so a request with broken claims gets nothing, as everywhere else.

-- URL encoding ----------------------------------------------------------------

CREATE FUNCTION loop.url_encode(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(string_agg(CASE WHEN (b.byte BETWEEN 48 AND 57) OR (b.byte BETWEEN 65 AND 90)
										  OR (b.byte BETWEEN 97 AND 122) OR b.byte IN (45, 46, 95, 126)
									THEN chr(b.byte)
									ELSE '%' || upper(lpad(to_hex(b.byte), 2, '0')) END,
							   '' ORDER BY g.i), '')
	  FROM (SELECT convert_to(value, 'UTF8') AS bytes) v
	 CROSS JOIN LATERAL generate_series(0, length(v.bytes) - 1) AS g(i)
	 CROSS JOIN LATERAL (SELECT get_byte(v.bytes, g.i) AS byte) b;
END;
COMMENT ON FUNCTION loop.url_encode(text) IS
	'Percent-encoding of a URL component (RFC 3986 §2): the UTF-8 bytes of value, every byte except the unreserved '
	'characters A-Z a-z 0-9 - . _ ~ written as %XX (upper-case hex); a space is %20. '
	'Example: ''Frühling 2026'' → ''Fr%C3%BChling%202026''.';

CREATE FUNCTION loop.referral_url_for(partner_id text, path text, utm_source text, utm_medium text,
									  utm_campaign text, utm_content text, utm_term text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	url text;
	param record;
BEGIN
	IF referral_url_for.partner_id IS NULL THEN
		RETURN NULL;
	END IF;
	IF referral_url_for.path IS NULL OR referral_url_for.path !~ '^/' THEN
		RAISE EXCEPTION 'invalid path: a page path must start with "/"'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "/preise"; the site URL is added by loop';
	END IF;
	IF referral_url_for.path ~ '[?#[:space:][:cntrl:]]' THEN
		RAISE EXCEPTION 'invalid path: a page path may not contain "?", "#", spaces or control characters'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'pass UTM values as their own arguments';
	END IF;
	url := rtrim(loop.setting_value('site_url'), '/')
		|| array_to_string(ARRAY(SELECT loop.url_encode(s.segment)
								   FROM unnest(string_to_array(referral_url_for.path, '/')) WITH ORDINALITY
										AS s(segment, i)
								  ORDER BY s.i), '/')
		|| '?affiliate=' || loop.url_encode(referral_url_for.partner_id);
	FOR param IN
		SELECT v.name, v.value
		  FROM (VALUES (1, 'utm_source', referral_url_for.utm_source), (2, 'utm_medium', referral_url_for.utm_medium),
					   (3, 'utm_campaign', referral_url_for.utm_campaign), (4, 'utm_content', referral_url_for.utm_content),
					   (5, 'utm_term', referral_url_for.utm_term)) AS v(i, name, value)
		 WHERE v.value ~ '[^[:space:]]'
		 ORDER BY v.i
	LOOP
		url := url || '&' || param.name || '=' || loop.url_encode(param.value);
	END LOOP;
	RETURN url;
END;
$$;
COMMENT ON FUNCTION loop.referral_url_for(text, text, text, text, text, text, text) IS
	'Referral link of partner_id to a page of the site: loop.setting site_url (trailing "/" dropped) + path (each '
	'segment percent-encoded) + ?affiliate=<partner_id> + &utm_source, &utm_medium, &utm_campaign, &utm_content, '
	'&utm_term for each value that is not NULL or blank, percent-encoded with loop.url_encode. NULL when partner_id is '
	'NULL. Errors: 22023 when path does not start with "/" or contains "?", "#", whitespace or control characters.';

-- Content tables ----------------------------------------------------------------

CREATE TABLE loop.site_page (
	path text PRIMARY KEY
		CONSTRAINT site_page_path_format CHECK (path ~ '^/[A-Za-z0-9._~/-]*$'),
	title text NOT NULL
		CONSTRAINT site_page_title_not_blank CHECK (title ~ '[^[:space:]]'),
	category text NOT NULL,
	sort_order integer NOT NULL DEFAULT 0,
	is_quick_link boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE loop.site_page IS
	'Pages of the site partners can link to (Referral-URLs page table, seed 001); is_quick_link marks the quick links '
	'Startseite, Schichtplanung, Zeiterfassung, Preise. Maintained by the program team (INSERT/UPDATE as the owner); '
	'the rows shipped besides the quick links are plausible defaults to be checked against the live site.';

INSERT INTO loop.site_page (path, title, category, sort_order, is_quick_link) VALUES
	('/', 'Startseite', 'Allgemein', 10, true),
	('/schichtplanung', 'Schichtplanung', 'Funktionen', 20, true),
	('/zeiterfassung', 'Zeiterfassung', 'Funktionen', 30, true),
	('/preise', 'Preise', 'Allgemein', 40, true),
	('/dienstplan', 'Dienstplan', 'Funktionen', 50, false),
	('/abwesenheiten', 'Abwesenheiten & Urlaub', 'Funktionen', 60, false),
	('/lohnabrechnung', 'Lohnabrechnung', 'Funktionen', 70, false),
	('/mitarbeiter-app', 'Mitarbeiter-App', 'Funktionen', 80, false),
	('/gastronomie', 'Gastronomie', 'Branchen', 90, false),
	('/hotellerie', 'Hotellerie', 'Branchen', 100, false),
	('/einzelhandel', 'Einzelhandel', 'Branchen', 110, false),
	('/baeckereien', 'Bäckereien', 'Branchen', 120, false),
	('/demo', 'Demo buchen', 'Allgemein', 130, false),
	('/blog', 'Blog', 'Ressourcen', 140, false);

CREATE TABLE loop.referral_preset (
	preset text PRIMARY KEY
		CONSTRAINT referral_preset_key_format CHECK (preset ~ '^[a-z][a-z0-9_]*$'),
	label text NOT NULL,
	utm_source text NOT NULL,
	utm_medium text NOT NULL,
	utm_campaign text,
	sort_order integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE loop.referral_preset IS
	'UTM presets of the Referral-URLs form (seed 001: Newsletter, LinkedIn, E-Mail, WhatsApp, Blog/Website): label and '
	'the utm_source / utm_medium / utm_campaign values a link built with the preset carries.';

INSERT INTO loop.referral_preset (preset, label, utm_source, utm_medium, utm_campaign, sort_order) VALUES
	('newsletter', 'Newsletter', 'newsletter', 'email', 'partner-newsletter', 10),
	('linkedin', 'LinkedIn', 'linkedin', 'social', 'partner-linkedin', 20),
	('email', 'E-Mail', 'email', 'email', 'partner-email', 30),
	('whatsapp', 'WhatsApp', 'whatsapp', 'messenger', 'partner-whatsapp', 40),
	('blog', 'Blog/Website', 'blog', 'referral', 'partner-blog', 50);

CREATE TABLE loop.resource (
	resource_id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	title text NOT NULL
		CONSTRAINT resource_title_not_blank CHECK (title ~ '[^[:space:]]'),
	type text NOT NULL
		CONSTRAINT resource_type_valid CHECK (type IN ('logo', 'image', 'pdf', 'video')),
	tags text[] NOT NULL DEFAULT '{}',
	category text NOT NULL,
	url text NOT NULL
		CONSTRAINT resource_url_https CHECK (url ~ '^https://[^[:space:]]+$'),
	description text,
	published boolean NOT NULL DEFAULT true,
	sort_order integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE loop.resource IS
	'Asset library of the Resources page and "Material & Vorlagen" (seed 001): logos, images, PDFs and videos with tags '
	'and a category; only published rows reach partners. The shipped rows are placeholders for the real assets.';

INSERT INTO loop.resource (title, type, tags, category, url, description, sort_order) VALUES
	('Ordio Logo (SVG)', 'logo', '{logo,branding}', 'Branding',
	 'https://www.ordio.com/partner/material/ordio-logo.svg', 'Logo in Farbe für helle Hintergründe.', 10),
	('Ordio Logo weiß (PNG)', 'logo', '{logo,branding}', 'Branding',
	 'https://www.ordio.com/partner/material/ordio-logo-weiss.png', 'Logo für dunkle Hintergründe.', 20),
	('Screenshot Schichtplanung', 'image', '{screenshot,schichtplanung}', 'Produkt',
	 'https://www.ordio.com/partner/material/screenshot-schichtplanung.png', 'Der Schichtplan in der Web-App.', 30),
	('LinkedIn-Banner', 'image', '{social,linkedin}', 'Social Media',
	 'https://www.ordio.com/partner/material/linkedin-banner.png', 'Banner 1200×627 für Beiträge.', 40),
	('Partner-Präsentation', 'pdf', '{vertrieb,praesentation}', 'Vertrieb',
	 'https://www.ordio.com/partner/material/partner-praesentation.pdf', 'Ordio in zehn Folien.', 50),
	('Freigegebene Texte', 'pdf', '{vorlage,newsletter,social}', 'Vorlagen',
	 'https://www.ordio.com/partner/material/freigegebene-texte.pdf', 'Freigegebene Texte für Newsletter und Posts.', 60),
	('Ordio in 2 Minuten', 'video', '{video,demo}', 'Produkt',
	 'https://www.ordio.com/partner/material/ordio-in-2-minuten.mp4', 'Kurzes Produktvideo.', 70);

-- Row-level security: content is for requests from an existing partner -------

CREATE FUNCTION loop.current_partner_known() RETURNS boolean
LANGUAGE sql STABLE PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT EXISTS (SELECT 1 FROM loop.partner p WHERE p.partner_id = loop.current_partner_id());
END;
COMMENT ON FUNCTION loop.current_partner_known() IS
	'True when the request''s claims name a partner the caller can see (its own row under row-level security): a '
	'signed-in partner or admin with well-formed claims. Gate of the content tables'' policies.';

ALTER TABLE loop.site_page ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.referral_preset ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE loop.resource ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY site_page_read ON loop.site_page FOR SELECT TO loop_partner, loop_admin
	USING ((SELECT loop.current_partner_known()));
CREATE POLICY referral_preset_read ON loop.referral_preset FOR SELECT TO loop_partner, loop_admin
	USING ((SELECT loop.current_partner_known()));
CREATE POLICY resource_read ON loop.resource FOR SELECT TO loop_partner, loop_admin
	USING ((SELECT loop.current_partner_known()));
GRANT SELECT ON loop.site_page, loop.referral_preset, loop.resource TO loop_partner, loop_admin;

-- The api views and function --------------------------------------------------

CREATE VIEW api.site_pages WITH (security_invoker = true) AS
SELECT sp.path, sp.title, sp.category, sp.sort_order, sp.is_quick_link,
	   rtrim(loop.setting_value('site_url'), '/') || sp.path AS url,
	   loop.referral_url_for(loop.current_partner_id(), sp.path, 'affiliate', 'referral', NULL, NULL, NULL)
		   AS referral_url
  FROM loop.site_page sp
 ORDER BY sp.sort_order, sp.path;
COMMENT ON VIEW api.site_pages IS
	'Referral-URLs → page table and quick links (is_quick_link: Startseite /, Schichtplanung /schichtplanung, '
	'Zeiterfassung /zeiterfassung, Preise /preise): path, title, category, url of the page and the caller''s '
	'referral_url with the recommended utm_source=affiliate&utm_medium=referral (seed 001). Source: loop.site_page.';

CREATE VIEW api.referral_presets WITH (security_invoker = true) AS
SELECT rp.preset, rp.label, rp.utm_source, rp.utm_medium, rp.utm_campaign, rp.sort_order
  FROM loop.referral_preset rp
 ORDER BY rp.sort_order, rp.preset;
COMMENT ON VIEW api.referral_presets IS
	'Referral-URLs → UTM presets (seed 001): Newsletter, LinkedIn, E-Mail, WhatsApp, Blog/Website with the utm_source, '
	'utm_medium and utm_campaign each fills in. Source: loop.referral_preset.';

CREATE VIEW api.referral_links WITH (security_invoker = true) AS
SELECT p.partner_id, sp.path, sp.title, sp.category, sp.is_quick_link,
	   rp.preset, rp.label AS preset_label, rp.utm_source, rp.utm_medium, rp.utm_campaign,
	   loop.referral_url_for(p.partner_id, sp.path, rp.utm_source, rp.utm_medium, rp.utm_campaign, NULL, NULL) AS url
  FROM loop.partner p
 CROSS JOIN loop.site_page sp
 CROSS JOIN loop.referral_preset rp
 ORDER BY p.partner_id, sp.sort_order, sp.path, rp.sort_order, rp.preset;
COMMENT ON VIEW api.referral_links IS
	'Referral-URLs: for every site page × UTM preset the partner''s link, e.g. '
	'https://www.ordio.com/preise?affiliate=AP-…&utm_source=linkedin&utm_medium=social&utm_campaign=partner-linkedin '
	'(loop.referral_url_for, values percent-encoded). One set per partner the caller may see (admins: every partner). '
	'Links with other UTM values: api.referral_url.';

CREATE VIEW api.resources WITH (security_invoker = true) AS
SELECT r.resource_id, r.title, r.type,
	   CASE r.type WHEN 'logo' THEN 'Logo' WHEN 'image' THEN 'Bild' WHEN 'pdf' THEN 'PDF' WHEN 'video' THEN 'Video' END
		   AS type_label,
	   r.tags, r.category, r.url, r.description, r.sort_order, r.created_at
  FROM loop.resource r
 WHERE r.published
 ORDER BY r.sort_order, r.resource_id;
COMMENT ON VIEW api.resources IS
	'Resources → asset library (seed 001): published assets with type logo|image|pdf|video (type_label Logo / Bild / '
	'PDF / Video), tags (text[]), category, url, description. Filter with ?type=eq.pdf, ?tags=cs.{social}, '
	'?category=eq.Vertrieb. Source: loop.resource.';

CREATE FUNCTION api.referral_url(path text, utm_source text DEFAULT 'affiliate', utm_medium text DEFAULT 'referral',
								 utm_campaign text DEFAULT NULL, utm_content text DEFAULT NULL,
								 utm_term text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	me text;
BEGIN
	SELECT p.partner_id INTO me FROM loop.partner p WHERE p.partner_id = loop.current_partner_id();
	IF me IS NULL THEN
		RAISE EXCEPTION 'referral links are built for a signed-in partner'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN loop.referral_url_for(me, referral_url.path, referral_url.utm_source, referral_url.utm_medium,
								 referral_url.utm_campaign, referral_url.utm_content, referral_url.utm_term);
END;
$$;
COMMENT ON FUNCTION api.referral_url(text, text, text, text, text, text) IS
	'RPC /rpc/referral_url (UTM form of the Referral-URLs page): the caller''s referral link to path with the given UTM '
	'values (defaults utm_source=affiliate, utm_medium=referral as seed 001 recommends; NULL or blank values are left '
	'out), percent-encoded: referral_url(''/preise'', utm_campaign => ''Frühling 2026'') = '
	'''https://www.ordio.com/preise?affiliate=<id>&utm_source=affiliate&utm_medium=referral&utm_campaign=Fr%C3%BChling%202026''. '
	'Errors: 42501 when the claims name no existing partner; 22023 for a path not starting with "/" or containing '
	'"?", "#", whitespace or control characters.';

-- Privileges ----------------------------------------------------------------------

REVOKE ALL ON FUNCTION loop.url_encode(text), loop.referral_url_for(text, text, text, text, text, text, text),
	loop.current_partner_known(), api.referral_url(text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loop.url_encode(text), loop.referral_url_for(text, text, text, text, text, text, text),
	loop.current_partner_known(), api.referral_url(text, text, text, text, text, text) TO loop_partner, loop_admin;
GRANT SELECT ON api.site_pages, api.referral_presets, api.referral_links, api.resources TO loop_partner, loop_admin;
