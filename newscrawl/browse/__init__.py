"""Looking at what was archived: pywb replay (serve), WACZ packages, the crawl report, live stats."""
