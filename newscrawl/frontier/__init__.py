"""The shared crawl frontier on Redis: many ``scrapy crawl worldnews`` workers, one crawl (issue 17).

``status.py`` holds the Redis key schema and the read-only view of a crawl
(``frontier_status``, ``clear_frontier``).
"""
