"""What the crawl may reach and what it may show: address policy, guarded resolver, guard middleware, redaction."""
