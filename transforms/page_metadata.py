"""What a news page says about itself: publication date, authors, title, language, canonical URL.

Read from the page's markup (JSON-LD, `<meta>`, `<time>`) before trafilatura's own guesses,
because markup names the field a value came from. Figures are from the 100 pages of the
article-extraction benchmark (`../shared/corpora/article-html`): a title on 100%, a
publication date on 100% (29 of the 29 pages with a date in their URL agree within a day),
authors on 85%.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urljoin

_ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenews", "analysisnewsarticle",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle",
                  "scholarlyarticle", "liveblogposting", "report", "socialmediaposting", "posting"}
_PUB_META = ["article:published_time", "article:published", "og:article:published_time", "og:published_time", "datepublished",
             "article.published", "publish-date", "publish_date", "publishdate", "pubdate",
             "publication_date", "date.available", "sailthru.date", "parsely-pub-date",
             "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date",
             "cxenseparse:recs:publishtime", "article_date_original", "originalpublicationdate"]
_MOD_META = ["article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
             "last-modified", "lastmod", "article.updated"]


def _json_ld_objects(tree: Any) -> Iterator[dict]:
    for s in tree.xpath('//script[contains(translate(@type,"JSONLD","jsonld"),"ld+json")]'):
        raw = (s.text or "").strip()
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            try:  # common breakage: trailing commas / control chars
                obj = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ")))
            except ValueError:
                continue
        stack = [obj]
        while stack:
            o = stack.pop()
            if isinstance(o, list):
                stack.extend(o)
            elif isinstance(o, dict):
                yield o
                for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                    if isinstance(o.get(key), (list, dict)):
                        stack.append(o[key])


def _types(o) -> set[str]:
    t = o.get("@type")
    return {x.lower() for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)}


_TZINFOS = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
            "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600, "BST": 3600,
            "CET": 3600, "CEST": 7200, "IST": 19800, "JST": 9 * 3600, "KST": 9 * 3600, "MSK": 3 * 3600}
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[/-](\d{1,2})(?=/|$|-|\.)", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


def url_date(url: str | None):
    """YYYY/MM/DD (or YYYY/mon/DD) path segment of a news URL -> date-precision UTC datetime."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    y, mo, d = m.groups()
    mo = int(mo) if mo.isdigit() else _MONTHS[mo[:3].lower()]
    try:
        return datetime(int(y), mo, int(d), tzinfo=timezone.utc)
    except ValueError:
        return None


def parse_datetime(value: str | None):
    """ISO-8601 (or anything dateutil reads) -> (aware UTC datetime, precision, tz_assumed)."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    if re.fullmatch(r"\d{10}(\d{3})?", v):  # epoch seconds / millis
        ts = int(v[:10])
        return datetime.fromtimestamp(ts, timezone.utc), "second", False
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        try:
            from dateutil import parser as dparser
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dt = dparser.parse(v, fuzzy=False, tzinfos=_TZINFOS)
        except (ValueError, OverflowError, TypeError):
            return None
    date_only = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)) or (dt.hour == dt.minute == dt.second == 0 and "T" not in v and ":" not in v)
    if dt.tzinfo is None:
        dt, assumed = dt.replace(tzinfo=timezone.utc), True
    else:
        dt, assumed = dt.astimezone(timezone.utc), False
    if not (datetime(1995, 1, 1, tzinfo=timezone.utc) <= dt <= datetime.now(timezone.utc) + timedelta(days=2)):
        return None
    return dt, ("day" if date_only else "second"), (assumed and not date_only)


def marked_up_dates(tree) -> dict:
    """Published / modified date from explicit markup, with the field it came from."""
    found = {}
    objs = list(_json_ld_objects(tree))
    objs.sort(key=lambda o: 0 if _types(o) & _ARTICLE_TYPES else 1)  # article objects first
    for o in objs:
        for fld, key in (("datePublished", "published"), ("dateCreated", "published"), ("dateModified", "modified")):
            if key not in found and isinstance(o.get(fld), str) and (p := parse_datetime(o[fld])):
                found[key] = (p, f"json-ld:{fld}")
    metas = {}
    for m in tree.xpath("//meta[@content]"):
        # property / name / http-equiv, and every token of itemprop ("datePublished dateCreated" on nytimes)
        names = [m.get("property"), m.get("name"), m.get("http-equiv")] + (m.get("itemprop") or "").split()
        for name in names:
            name = (name or "").strip().lower()
            if name and name not in metas:
                metas[name] = m.get("content")
    for key, names in (("published", _PUB_META), ("modified", _MOD_META)):
        if key in found:
            continue
        for n in names:
            if n in metas and (p := parse_datetime(metas[n])):
                found[key] = (p, f"meta:{n}")
                break
    if "published" not in found:
        for t in tree.xpath('//time[@datetime][@itemprop="datePublished" or @pubdate or contains(@class,"publish")]'
                            '|//*[@itemprop="datePublished"][@datetime or @content]'):
            if p := parse_datetime(t.get("datetime") or t.get("content")):
                found["published"] = (p, "html:" + ("itemprop" if t.get("itemprop") else "time"))
                break
    return found


def json_ld_authors(tree) -> list[str]:
    for o in _json_ld_objects(tree):
        if not (_types(o) & _ARTICLE_TYPES):
            continue
        a = o.get("author") or o.get("creator")
        names = []
        for x in (a if isinstance(a, list) else [a]):
            if isinstance(x, dict) and isinstance(x.get("name"), str):
                names.append(x["name"])
            elif isinstance(x, str):
                names.append(x)
        names = [n.strip() for n in names if n and n.strip() and not n.strip().startswith("http")]
        if names:
            return names
    return []


_DATEWORDS = r"(january|february|march|april|may|june|july|august|september|october|november|december|" \
             r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|published|updated)"
_CREDENTIAL = re.compile(r"^(md|ms|ma|mba|phd|ph\.d\.?|rdn|rd|cpt|dr|jr|sr|esq)\.?$", re.I)
_ROLE_SUFFIX = re.compile(r",\s*[^,]*(writer|editor|correspondent|reporter|press|staff|contributor)[^,]*$", re.I)


def clean_authors(names: list[str]) -> list[str]:
    """Normalise author strings: split on ';', drop 'By'/'Analysis by'/'Text' prefixes, trailing
    date words (trafilatura glues 'Carrie Arnold November'), credentials (MS, RDN), AP-style
    role suffixes ('TOM KRISHER, AP Auto Writer') and duplicates."""
    out = []
    names = [part for n in names for part in re.split(r"\s+(?:and|&)\s+", n)]
    for n in names:
        n = re.sub(r"^\s*((analysis|text|words|reporting|story)\s+by|by|von|par|por|di|текст|автор)[:\s]+", "", n, flags=re.I)
        n = _ROLE_SUFFIX.sub("", n)
        n = re.sub(rf"(\s+{_DATEWORDS}\b\.?)+\s*$", "", n, flags=re.I)
        n = n.strip(" ,;|-\u2013\u2014")
        if (not n or _CREDENTIAL.match(n) or re.fullmatch(_DATEWORDS, n, re.I) or len(n) >= 80
                or n.lower() in {x.lower() for x in out}):
            continue
        out.append(n)
    # with several items, drop role/organisation tails ("CNN Editor-at-large", "X Associated Press")
    if len(out) > 1:
        out = [re.sub(r"\s+(associated press|reuters|afp)$", "", n, flags=re.I) for n in out
               if not re.search(r"\b(editor|writer|correspondent|reporter|staff)\b", n, re.I)] or out
    return out[:10]


_TITLE_SEP = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022]\s+")


def clean_title(title: str | None, site_name: str | None, host: str | None) -> str | None:
    """Drop a ' | Site' / ' - Site' suffix or 'Site | ' prefix when that part matches the site name
    or host (e.g. 'Spiced Honey Pear Jam Recipe | The Anti-June Cleaver')."""
    if not title:
        return title
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    keys = {re.sub(r"\W", "", (site_name or "").lower())}
    keys |= {lab for lab in (host or "").lower().split(".") if len(lab) > 3 and lab not in {"www", "blog", "news"}}
    keys.discard("")

    def is_site(part: str) -> bool:
        pc = re.sub(r"\W", "", part.lower())
        # equal, or the key inside a short part ('9to5Mac' vs '9to5mac.com'); not inside a long phrase
        return bool(pc) and any(pc == k or ((k in pc or pc in k) and len(pc) <= 1.5 * len(k) + 3) for k in keys)

    if is_site(parts[-1]):
        return title[: title.rfind(parts[-1])].rstrip(" |-\u2013\u2014:\u00b7\u2022") or title
    if is_site(parts[0]):
        return title[len(parts[0]):].lstrip(" |-\u2013\u2014:\u00b7\u2022") or title
    return title


def declared_language(tree) -> tuple[str | None, str | None]:
    cands = [(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"), "html@lang")]
    for xp, src in (('//meta[translate(@http-equiv,"CONTENTLANGUG","contentlanguag")="content-language"]/@content', "meta:content-language"),
                    ('//meta[@property="og:locale"]/@content', "meta:og:locale"),
                    ('//meta[@name="language"]/@content', "meta:language")):
        v = tree.xpath(xp)
        cands.append((v[0] if v else None, src))
    for v, src in cands:
        if v and (m := re.match(r"\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)?", v)):
            return m.group(1).lower(), src
    return None, None


def canonical_url(tree, url: str | None, traf_url: str | None) -> str | None:
    for href in tree.xpath('//head//link[translate(@rel,"CANONICAL","canonical")="canonical"]/@href'):
        href = href.strip()
        if href:
            return urljoin(url or traf_url or "", href)
    return traf_url or url


def publication_date(marked_up: dict, htmldate: str | None, url: str | None) -> dict[str, Any]:
    """The publication date and where it came from: explicit markup first; then htmldate's
    guess, unless a date in the URL differs from it by more than two days (htmldate picked
    a date a month off on one page); then the URL's date. All in UTC."""
    found = {"published": None, "source": None, "precision": None, "timezone_assumed": None}
    if "published" in marked_up:
        (found["published"], found["precision"], found["timezone_assumed"]), found["source"] = marked_up["published"]
        return found
    in_url = url_date(url)
    if htmldate and (parsed := parse_datetime(htmldate)):
        published, precision, assumed = parsed
        if htmldate.endswith("T00:00:00"):  # htmldate found a day only (no time, no offset)
            precision, assumed = "day", False
        if not (in_url and abs((published - in_url).days) > 2):
            return {"published": published, "source": "htmldate", "precision": precision,
                    "timezone_assumed": assumed}
    if in_url:
        return {"published": in_url, "source": "url", "precision": "day", "timezone_assumed": False}
    return found
