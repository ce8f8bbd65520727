"""A bundled demo world-news site served on loopback addresses, for `make demo` and tests.

    from newscrawl.demo.site import DemoSite
    with DemoSite() as site:          # three publishers + one off-site host, one shared port
        ...crawl site.start_urls...
        site.log                      # every exchange served
        site.expected_fetches()       # what the crawler must have requested
        site.expected_articles()      # what extraction must produce, by final URL

The ground truth is plain data in ``content.py``; ``templates.py`` renders it.
"""
