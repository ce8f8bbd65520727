"""newscrawl's own signals (sent through ``crawler.signals`` like Scrapy's), in one place.

A component sending one and a component receiving it both import it from here,
never from each other.
"""

#: Sent by the archive after an exchange's records are written and flushed to its WARC file
#: (arguments: ``request``, the request as sent, and ``pointer``, the response record's RecordPointer).
#: Written is not yet durable: see ``sync_captures``.
exchange_archived = object()

#: Sent (``send_catch_log_async``) by a component that needs what is archived so far to be durable:
#: the archive's handler returns once every exchange written before the signal is fsynced to disk
#: (its WARC file and its capture journal).
sync_captures = object()
