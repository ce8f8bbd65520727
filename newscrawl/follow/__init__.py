"""What the crawl follows: Latest World News blocks and section links, URL cleaning, link traps, page checks."""
