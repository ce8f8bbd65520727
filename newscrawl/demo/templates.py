"""HTML for the demo site, one small set of templates per publisher.

Each publisher marks up the same kinds of things differently on purpose: the
"Latest World News" block, the metadata (JSON-LD / OpenGraph / Dublin Core), the
bylines and image credits. Every page also carries the noise a real page has:
navigation, footers, Trending and Most read boxes, ads, newsletter boxes, share
buttons. Functions return ``str``; the site encodes them.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import quote

from .content import Image, Link, Publisher, Story


class Ctx:
    """What a template needs to turn paths into URLs."""

    def __init__(self, pub: Publisher, base: str, offsite: str):
        self.pub = pub
        self.base = base
        self.offsite = offsite

    def href(self, href: str) -> str:
        """A link as written on the page (placeholders filled, otherwise untouched)."""
        return href.replace("{base}", self.base).replace("{offsite}", self.offsite)

    def abs(self, path: str) -> str:
        return self.base + path


def _a(ctx: Ctx, link: Link, cls: str | None = None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{escape(ctx.href(link.href))}"{c}>{escape(link.text)}</a>'


def _ul(ctx: Ctx, links: list[Link], tag: str = "ul") -> str:
    items = "".join(f"<li>{_a(ctx, link)}</li>" for link in links)
    return f"<{tag}>{items}</{tag}>"


def _img_src(ctx: Ctx, text: str) -> str:
    return ctx.abs("/images/thumbs/" + quote(text.lower().replace(" ", "-")[:40]) + ".jpg")


def _long_date(iso: str) -> str:
    d = datetime.fromisoformat(iso)
    return f"{d.day} {d:%B %Y, %H:%M}"


def _json_ld(data: dict) -> str:
    # "</" inside a script element would end it early.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _share(ctx: Ctx, story: Story) -> str:
    u = quote(ctx.abs(story.path), safe="")
    return (
        '<ul class="share" aria-label="Share this article">'
        f'<li><a href="https://social.example/share?u={u}">Share on Facebook</a></li>'
        f'<li><a href="https://microblog.example/intent/post?url={u}">Share on X</a></li>'
        f'<li><a href="mailto:?subject={quote(story.title)}&amp;body={u}">Email</a></li>'
        "</ul>"
    )


# --------------------------------------------------------------------------------------
# The Daily Globe
# --------------------------------------------------------------------------------------

def _globe_head(ctx: Ctx, title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} - The Daily Globe</title>
<link rel="stylesheet" href="/static/globe.css">
"""


def _globe_header(ctx: Ctx) -> str:
    return (
        '<header class="site-header"><a class="logo" href="/">The Daily Globe</a>'
        f'<nav class="primary">{_ul(ctx, ctx.pub.nav)}</nav></header>\n'
    )


def _globe_boxes(ctx: Ctx) -> str:
    return (
        f'<div class="box trending"><h3>Trending</h3>{_ul(ctx, ctx.pub.trending)}</div>\n'
        f'<div class="box most-read"><h3>Most read</h3>{_ul(ctx, ctx.pub.most_read, "ol")}</div>\n'
    )


def _globe_footer(ctx: Ctx) -> str:
    return (
        f'<footer class="site-footer">{_ul(ctx, ctx.pub.footer)}'
        "<p>&copy; 2023 The Daily Globe. All rights reserved.</p></footer>\n</body>\n</html>\n"
    )


def _globe_latest(ctx: Ctx, links: list[Link]) -> str:
    items = []
    for link in links:
        href = escape(ctx.href(link.href))
        if link.img_alt:
            items.append(
                f'<li><a href="{href}" class="thumb"><img src="{_img_src(ctx, link.img_alt)}" alt="{escape(link.img_alt)}"></a>'
                f'<a href="{href}" class="headline">{escape(link.text)}</a></li>'
            )
        else:
            items.append(f'<li><a href="{href}" class="headline">{escape(link.text)}</a></li>')
    return (
        '<section class="latest"><div class="block-header"><h2>Latest World News</h2>'
        f'<a href="{ctx.pub.section_path}">See more Latest World News</a></div>'
        f'<ul>{"".join(items)}</ul></section>\n'
    )


def _globe_figure(ctx: Ctx, img: Image, lead: bool) -> str:
    credit = f"Picture: {img.credit}" if lead else f"({img.credit})"
    cls = "lead-image" if lead else "inline-image"
    return (
        f'<figure class="{cls}"><img src="{ctx.abs(img.src)}" alt="{escape(img.alt)}" width="940" height="529">'
        f'<figcaption>{escape(img.caption)} <span class="credit">{escape(credit)}</span></figcaption></figure>\n'
    )


def globe_article(ctx: Ctx, s: Story) -> str:
    url = ctx.abs(s.path)
    canonical = url if s.canonical == "same" else s.canonical
    lead = [i for i in s.images if i.after < 0]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "headline": s.title,
        "description": s.summary,
        "datePublished": s.published,
        "dateModified": s.modified or s.published,
        "author": [
            {"@type": "Organization", "name": a} if a == "Press Association" else {"@type": "Person", "name": a}
            for a in s.authors
        ],
        "publisher": {"@type": "Organization", "name": ctx.pub.title,
                      "logo": {"@type": "ImageObject", "url": ctx.abs("/static/globe-logo.png")}},
        "articleSection": s.section,
        "keywords": ", ".join(s.tags),
        "inLanguage": ctx.pub.language,
    }
    if s.modified is None:
        del ld["dateModified"]
    if lead:
        ld["image"] = {"@type": "ImageObject", "url": ctx.abs(lead[0].src), "caption": lead[0].caption}
    og_image = f'<meta property="og:image" content="{ctx.abs(lead[0].src)}">\n' if lead else ""

    out = [_globe_head(ctx, s.title)]
    out.append(
        f'<meta name="description" content="{escape(s.summary)}">\n'
        f'<link rel="canonical" href="{escape(canonical)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:site_name" content="{escape(ctx.pub.title)}">\n'
        f'<meta property="og:title" content="{escape(s.title)}">\n'
        f'<meta property="og:description" content="{escape(s.summary)}">\n'
        f'<meta property="og:url" content="{escape(canonical)}">\n'
        f"{og_image}"
        f'<script type="application/ld+json">\n{_json_ld(ld)}\n</script>\n'
        "</head>\n<body>\n"
    )
    out.append(_globe_header(ctx))
    out.append('<main class="layout">\n<article class="story">\n')
    out.append(f'<h1 class="headline">{escape(s.title)}</h1>\n')
    out.append(f'<p class="dateline"><time datetime="{s.published}">{_long_date(s.published)}</time></p>\n')
    out.append(_share(ctx, s) + "\n")
    for img in lead:
        out.append(_globe_figure(ctx, img, lead=True))
    out.append(f'<p class="standfirst">{escape(s.summary)}</p>\n<div class="story-body">\n')
    for i, para in enumerate(s.paragraphs):
        out.append(f"<p>{escape(para)}</p>\n")
        for img in s.images:
            if img.after == i:
                out.append(_globe_figure(ctx, img, lead=False))
        if i == 1:
            out.append('<div class="ad ad-mpu"><span class="ad-label">Advertisement</span><div class="ad-slot" id="ad-mpu-1"></div></div>\n')
        if s.read_more and s.read_more[0] == i:
            out.append(f'<p class="read-more"><strong>Read more:</strong> {_a(ctx, s.read_more[1])}</p>\n')
        if i == len(s.paragraphs) // 2 + 1 and len(s.paragraphs) > 4:
            out.append(
                '<div class="newsletter-signup"><h4>Get the Globe&#39;s World Briefing</h4>'
                "<p>The day&#39;s top international stories, in your inbox every morning.</p>"
                '<form action="/newsletter/subscribe" method="post"><input type="email" name="email" placeholder="Email address">'
                '<button type="submit">Sign up</button></form></div>\n'
            )
    out.append("</div>\n")
    out.append(f'<p class="byline">{escape(s.byline)}</p>\n</article>\n')
    out.append(_globe_latest(ctx, s.latest))
    out.append(_globe_boxes(ctx))
    out.append("</main>\n")
    out.append(_globe_footer(ctx))
    return "".join(out)


def globe_section(ctx: Ctx) -> str:
    pub = ctx.pub
    stories = {s.path: s for s in pub.stories}
    items = []
    for link in pub.section_links:
        s = stories.get(link.clean)
        blurb = f"<p>{escape(s.summary)}</p>" if s else ""
        href = escape(ctx.href(link.href))
        items.append(
            f'<li class="card"><a href="{href}"><img src="{_img_src(ctx, link.img_alt or link.text)}" alt="{escape(link.img_alt or "")}"></a>'
            f'<h2><a href="{href}">{escape(link.text)}</a></h2>{blurb}</li>'
        )
    others = " ".join(_a(ctx, link) for link in pub.other_section_links)
    return (
        _globe_head(ctx, pub.section_title)
        + f'<link rel="canonical" href="{ctx.abs(pub.section_path)}">\n</head>\n<body>\n'
        + _globe_header(ctx)
        + f'<main class="layout section-page">\n<h1 class="section-title">{escape(pub.section_title)}</h1>\n'
        + f'<ul class="story-list">{"".join(items)}</ul>\n'
        + f'<div class="more-sections"><h3>More from the Globe</h3><p>{others}</p></div>\n'
        + f'<div class="box trending"><h3>Trending</h3>{_ul(ctx, pub.trending)}</div>\n'
        + f'<aside class="sidebar"><h3>Most read</h3>{_ul(ctx, pub.most_read, "ol")}</aside>\n'
        + "</main>\n"
        + _globe_footer(ctx)
    )


# --------------------------------------------------------------------------------------
# Harbour Herald
# --------------------------------------------------------------------------------------

def _herald_head(ctx: Ctx, title: str, charset: str) -> str:
    meta_charset = '<meta charset="utf-8">\n' if charset == "utf-8" else ""  # cp1252 page: header only
    return (
        f'<!DOCTYPE html>\n<html lang="{ctx.pub.language}">\n<head>\n{meta_charset}'
        f"<title>{escape(title)} | Harbour Herald</title>\n"
        f'<meta property="og:site_name" content="{escape(ctx.pub.title)}">\n'
    )


def _herald_header(ctx: Ctx) -> str:
    return (
        '<header class="masthead"><a href="/" class="brand">Harbour Herald</a>'
        f'<nav>{_ul(ctx, ctx.pub.nav)}</nav></header>\n'
    )


def _herald_rail(ctx: Ctx, links: list[Link]) -> str:
    return (
        '<aside class="rail"><h3>Latest world news</h3>'
        f'{_ul(ctx, links, "ol")}'
        f'<a href="{ctx.pub.section_path}">See more world news</a></aside>\n'
    )


def _herald_boxes(ctx: Ctx) -> str:
    return (
        f'<aside class="onward"><section class="trending"><h3>Trending</h3>{_ul(ctx, ctx.pub.trending)}</section>'
        f'<section class="most-read"><h3>Most read</h3>{_ul(ctx, ctx.pub.most_read, "ol")}</section></aside>\n'
    )


def _herald_footer(ctx: Ctx) -> str:
    return (
        f'<footer>{_ul(ctx, ctx.pub.footer)}<p>Harbour Herald &ndash; independent since 1894</p></footer>\n'
        "</body>\n</html>\n"
    )


def herald_article(ctx: Ctx, s: Story) -> str:
    url = ctx.abs(s.path)
    canonical = url if s.canonical == "same" else s.canonical
    lead = [i for i in s.images if i.after < 0]
    metas = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(s.title)}">',
        f'<meta property="og:description" content="{escape(s.summary)}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
    ]
    if lead:
        metas.append(f'<meta property="og:image" content="{ctx.abs(lead[0].src)}">')
    metas.append(f'<meta property="article:published_time" content="{s.published}">')
    if s.modified:
        metas.append(f'<meta property="article:modified_time" content="{s.modified}">')
    metas.append(f'<meta property="article:section" content="{escape(s.section or "")}">')
    metas += [f'<meta property="article:tag" content="{escape(t)}">' for t in s.tags]
    metas += [f'<meta property="article:author" content="{escape(a)}">' for a in s.authors]

    d = datetime.fromisoformat(s.published)
    out = [_herald_head(ctx, s.title, s.charset), "\n".join(metas), "\n</head>\n<body>\n", _herald_header(ctx)]
    out.append('<div class="page"><main>\n<article>\n<div class="article-head">')
    out.append(f'<p class="kicker">{escape(s.section or "")}</p><h1>{escape(s.title)}</h1>')
    out.append(f'<p class="standfirst">{escape(s.summary)}</p>')
    out.append(f'<p class="byline">{escape(s.byline)}</p>')
    out.append(f'<p class="meta">{d:%a %d %b %Y %H.%M} (UTC{d:%z})</p></div>\n')
    for img in lead:
        out.append(_herald_figure(ctx, img))
    out.append('<div class="article-body">\n')
    for i, para in enumerate(s.paragraphs):
        out.append(f"<p>{escape(para)}</p>\n")
        for img in s.images:
            if img.after == i:
                out.append(_herald_figure(ctx, img))
        if i == 0:
            out.append('<div class="advert"><p class="advert-label">Advertisement</p><div class="slot"></div></div>\n')
        if i == 2:
            out.append(
                '<div class="newsletter-promo"><p><b>Sign up to Herald World</b> &ndash; a weekly look at the world '
                'beyond the harbour</p><a href="/newsletters/world" class="button">Sign up</a></div>\n'
            )
    out.append("</div>\n")
    out.append(_share(ctx, s) + "\n")
    out.append("</article>\n</main>\n")
    out.append(_herald_rail(ctx, s.latest))
    out.append(_herald_boxes(ctx))
    out.append("</div>\n")
    out.append(_herald_footer(ctx))
    return "".join(out)


def _herald_figure(ctx: Ctx, img: Image) -> str:
    return (
        f'<figure><img src="{ctx.abs(img.src)}" alt="{escape(img.alt)}">'
        f'<figcaption>{escape(img.caption)} <span class="credit">Photograph: {escape(img.credit)}</span></figcaption></figure>\n'
    )


def herald_home(ctx: Ctx) -> str:
    pub = ctx.pub
    return (
        _herald_head(ctx, "News from the harbour and the world", "utf-8")
        + '<meta property="og:type" content="website">\n</head>\n<body>\n'
        + _herald_header(ctx)
        + '<div class="page"><main>\n<section class="top-stories"><h2>Top stories</h2>'
        + _ul(ctx, pub.home_top_stories)
        + "</section>\n</main>\n"
        + _herald_rail(ctx, pub.home_latest)
        + _herald_boxes(ctx)
        + "</div>\n"
        + _herald_footer(ctx)
    )


def herald_section(ctx: Ctx) -> str:
    pub = ctx.pub
    stories = {s.path: s for s in pub.stories}
    items = []
    for link in pub.section_links:
        s = stories.get(link.clean)
        blurb = f"<p>{escape(s.summary)}</p>" if s else ""
        items.append(f"<li><h2>{_a(ctx, link)}</h2>{blurb}</li>")
    others = "".join(f"<li>{_a(ctx, link)}</li>" for link in pub.other_section_links)
    return (
        _herald_head(ctx, pub.section_title, "utf-8")
        + f'<link rel="canonical" href="{ctx.abs(pub.section_path)}">\n</head>\n<body>\n'
        + _herald_header(ctx)
        + f'<div class="page"><main>\n<h1>{escape(pub.section_title)}</h1>\n<ul class="stream">{"".join(items)}</ul>\n'
        + f'<div class="elsewhere"><h2>Elsewhere in the Herald</h2><ul>{others}</ul></div>\n'
        + f'<section class="trending"><h3>Trending</h3>{_ul(ctx, pub.trending)}</section>\n'
        + "</main>\n"
        + f'<aside class="most-read"><h3>Most read</h3>{_ul(ctx, pub.most_read, "ol")}</aside>\n'
        + "</div>\n"
        + _herald_footer(ctx)
    )


# --------------------------------------------------------------------------------------
# The Provincial Courier (tables, no OpenGraph, no JSON-LD)
# --------------------------------------------------------------------------------------

def _courier_top(ctx: Ctx, title: str, extra_meta: str = "") -> str:
    nav = " | ".join(_a(ctx, link) for link in ctx.pub.nav)
    return (
        "<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<meta http-equiv="content-language" content="en">\n'
        f"<title>{escape(title)} - The Provincial Courier</title>\n"
        f"{extra_meta}"
        '<meta name="DC.publisher" content="The Provincial Courier">\n'
        "</head>\n"
        '<body bgcolor="#ffffff" text="#000000" link="#003399">\n'
        '<table width="760" border="0" cellpadding="4" cellspacing="0" align="center">\n'
        '<tr><td colspan="2" class="masthead"><a href="/index.html"><img src="/img/masthead.gif" alt="The Provincial Courier" border="0"></a></td></tr>\n'
        f'<tr><td colspan="2" class="nav" bgcolor="#dddddd"><font size="2">{nav}</font></td></tr>\n'
        '<tr>\n<td class="main" valign="top" width="560">\n'
    )


def _courier_side(ctx: Ctx, links: list[Link]) -> str:
    parts = []
    for link in links:
        parts.append(f"{_a(ctx, link)}<br>")
    latest = (
        '<td class="side"><b>LATEST   WORLD  news</b><br>'
        + "".join(parts)
        + f'<a href="{ctx.pub.section_path}">See more Latest World News</a></td>'
    )
    most_read = "".join(f"{_a(ctx, link)}<br>" for link in ctx.pub.most_read)
    return (
        '<td valign="top" width="200"><table width="100%" border="0" cellpadding="3">'
        f"<tr>{latest}</tr>"
        f'<tr><td class="box"><b>Most read</b><br>{most_read}</td></tr>'
        "</table></td>\n"
    )


def _courier_bottom(ctx: Ctx) -> str:
    foot = " | ".join(_a(ctx, link) for link in ctx.pub.footer)
    return (
        "</tr>\n"
        f'<tr><td colspan="2" class="footer" align="center"><font size="1">{foot}<br>'
        "Copyright &copy; 1998-2023 The Provincial Courier</font></td></tr>\n"
        "</table>\n</body>\n</html>\n"
    )


def courier_article(ctx: Ctx, s: Story) -> str:
    meta = [
        f'<meta name="description" content="{escape(s.summary)}">',
        f'<meta name="keywords" content="{escape(", ".join(s.tags))}">',
    ]
    if s.dublin_core:
        meta.append(f'<meta name="DC.title" content="{escape(s.title)}">')
        meta += [f'<meta name="DC.creator" content="{escape(a)}">' for a in s.authors]
        meta.append(f'<meta name="DC.date" content="{s.published}">')
    if s.canonical not in (None, "same"):
        meta.append(f'<link rel="canonical" href="{escape(s.canonical)}">')
    d = datetime.fromisoformat(s.published)
    out = [_courier_top(ctx, s.title, "\n".join(meta) + "\n")]
    out.append(f'<h1><font face="Georgia">{escape(s.title)}</font></h1>\n')
    out.append(f'<p class="byline"><i>{escape(s.byline)}</i></p>\n')
    out.append(f'<p class="date"><time datetime="{s.published}">{d:%B} {d.day}, {d.year}</time></p>\n')
    for img in s.images:
        if img.after < 0:
            out.append(_courier_photo(ctx, img))
    for i, para in enumerate(s.paragraphs):
        out.append(f"<p>{escape(para)}</p>\n")
        if i == 1:
            out.append('<table class="ad" width="100%" bgcolor="#eeeeee"><tr><td align="center"><font size="1">ADVERTISEMENT</font><br>'
                       '<img src="/ads/banner-468x60.gif" width="468" height="60" alt=""></td></tr></table>\n')
    out.append('<p class="tools"><a href="javascript:window.print()">Print this story</a> | '
               '<a href="mailto:?subject=From%20the%20Courier">E-mail this story</a></p>\n')
    out.append("</td>\n")
    out.append(_courier_side(ctx, s.latest))
    out.append(_courier_bottom(ctx))
    return "".join(out)


def _courier_photo(ctx: Ctx, img: Image) -> str:
    return (
        f'<div class="photo"><img src="{ctx.abs(img.src)}" alt="{escape(img.alt)}" width="400"><br>'
        f"<small>{escape(img.caption)}. Photo: {escape(img.credit)}</small></div>\n"
    )


def courier_home(ctx: Ctx) -> str:
    top = "".join(f"<li>{_a(ctx, link)}</li>" for link in ctx.pub.home_top_stories)
    return (
        _courier_top(ctx, "Home", '<meta name="description" content="News for the province since 1898.">\n')
        + '<h2>Today in the Courier</h2>\n<ul>' + top + "</ul>\n"
        + "<p>Welcome to the online edition of The Provincial Courier.</p>\n</td>\n"
        + _courier_side(ctx, ctx.pub.home_latest)
        + _courier_bottom(ctx)
    )


def courier_section(ctx: Ctx) -> str:
    pub = ctx.pub
    stories = {s.path: s for s in pub.stories}
    rows = []
    for link in pub.section_links:
        s = stories.get(link.clean)
        blurb = escape(s.summary) if s else ""
        rows.append(f'<tr><td><b>{_a(ctx, link)}</b><br><font size="2">{blurb}</font></td></tr>')
    others = " | ".join(_a(ctx, link) for link in pub.other_section_links)
    most_read = "".join(f"{_a(ctx, link)}<br>" for link in pub.most_read)
    return (
        _courier_top(ctx, "World")
        + f"<h1>{escape(pub.section_title)}</h1>\n"
        + '<table width="100%" border="0" cellpadding="4">' + "".join(rows) + "</table>\n"
        + f"<p><b>Other sections:</b> {others}</p>\n</td>\n"
        + f'<td valign="top" width="200" class="box"><b>Most read</b><br>{most_read}</td>\n'
        + _courier_bottom(ctx)
    )


# --------------------------------------------------------------------------------------
# Pages that exist but must never be crawled, and error pages
# --------------------------------------------------------------------------------------

def stub_page(title: str, note: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n</head>\n'
        f"<body>\n<h1>{escape(title)}</h1>\n<p>{escape(note)}</p>\n</body>\n</html>\n"
    )


ARTICLE = {"globe": globe_article, "herald": herald_article, "courier": courier_article}
SECTION = {"globe": globe_section, "herald": herald_section, "courier": courier_section}
HOME = {"herald": herald_home, "courier": courier_home}
