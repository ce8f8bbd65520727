"""Crawling again without fetching again: crawl state backends and lock, recrawl policy, the extension."""
