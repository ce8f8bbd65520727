"""`python -m newscrawl.demo --port 8011`: serve the demo sites in the foreground.

The first three publishers (``DemoSite``) and the two old-layout ones (``PlainSite``:
section pages as start URLs, no structured data), all on one port.
"""

from __future__ import annotations

import argparse
import signal
import time

from .plain import PlainSite
from .site import DemoSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=8011, help="port shared by every host (0 = pick a free one)")
    parser.add_argument("--host-prefix", default="127.0.0.", help="loopback prefix of the host addresses")
    parser.add_argument("--first-octet", type=int, default=11, help="last octet of the first publisher's address")
    args = parser.parse_args(argv)

    # Python leaves SIGINT alone when it starts with SIGINT ignored, as every job a
    # non-interactive shell puts in the background does (`make test &`, nohup, CI
    # runners): Ctrl-C and `kill -INT` would then do nothing and the site would serve
    # on for ever. What we print says Ctrl-C stops it, so it does, as in `scrapy crawl`.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    site = DemoSite(host_prefix=args.host_prefix, first_octet=args.first_octet, port=args.port)
    plain = PlainSite(host_prefix=args.host_prefix, first_octet=args.first_octet + 10, port=site.port)
    sites = [site, plain]
    try:  # from the first start on: a Ctrl-C at any point stops what was started
        for each in sites:
            each.start()
        print("Demo news site running. Publishers:")
        for each in sites:
            for name, base in each.publishers.items():
                print(f"  {name:8} {base}")
        print(f"  {'offsite':8} {site.offsite_base}  (must never be fetched)")
        print("Start URLs:")
        for url in site.start_urls + plain.start_urls:
            print(f"  {url}")
        print("Press Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for each in sites:
            each.stop()
        print(f"\nStopped after serving {sum(len(each.log) for each in sites)} requests.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
