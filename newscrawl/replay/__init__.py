"""Articles from WARC files, without the web: the replay spider and its record filters."""
