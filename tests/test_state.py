"""Crawl state and the crawl lock, on SQLite and on a real Redis server."""

import time

import pytest

from newscrawl.incremental.state import Capture, CrawlLocked, RedisState, SqliteState, state_from_settings

from .redis_server import redis_url  # noqa: F401  (fixture)


@pytest.fixture(params=["sqlite", "redis"])
def make_state(request, tmp_path):
    made = []

    def make(crawl=""):  # every state of a test on one SQLite file or one Redis namespace
        if request.param == "sqlite":
            state = SqliteState(tmp_path / "state.sqlite", crawl=crawl)
        else:
            state = RedisState(request.getfixturevalue("redis_url"), namespace=f"t{id(made)}", crawl=crawl)
        made.append(state)
        return state

    yield make
    for state in made:
        state.close()


def _capture(url, digest="sha1:AAA"):
    return Capture(url=url, fetched_at="2026-01-01T00:00:00.000000Z", status=200, payload_digest=digest,
                   warc_uri="/w/a.warc.gz", offset=10, record_id="<urn:uuid:1>", fetched_ts=1767225600.0)


def test_captures_round_trip(make_state):
    state = make_state()
    assert state.get("http://a.test/x") is None
    state.put_many([_capture("http://a.test/x"), _capture("http://a.test/y", "sha1:BBB")])
    assert state.get("http://a.test/x") == _capture("http://a.test/x")
    state.put_many([_capture("http://a.test/x", "sha1:CCC")])
    assert state.get("http://a.test/x").payload_digest == "sha1:CCC"


def test_second_run_cannot_take_the_lock_until_released_or_expired(make_state):
    first, second = make_state(), make_state()
    first.acquire("worldnews", ttl=30)  # long enough that a loaded machine (xdist) cannot let it expire here
    with pytest.raises(CrawlLocked, match="already running"):
        second.acquire("worldnews", ttl=30)
    first.refresh()
    first.release()
    second.acquire("worldnews", ttl=0.3)
    # a crashed run (no release) holds the lock no longer than its ttl
    time.sleep(0.4)
    first.acquire("worldnews", ttl=5)
    second.release()  # a lost lock is not deleted by its former holder
    with pytest.raises(CrawlLocked):
        make_state().acquire("worldnews", ttl=5)


def test_state_from_settings(tmp_path, redis_url):  # noqa: F811
    assert isinstance(state_from_settings(str(tmp_path / "s.sqlite"), None, "worldnews"), SqliteState)
    assert isinstance(state_from_settings("redis", redis_url, "worldnews"), RedisState)
    assert isinstance(state_from_settings(redis_url, None, "worldnews"), RedisState)
    with pytest.raises(ValueError, match="needs REDIS_URL"):
        state_from_settings("redis", None, "worldnews")
    with pytest.raises(ValueError, match="SQLite file path"):
        state_from_settings("postgres://x", None, "worldnews")


def test_lock_of_a_killed_run_on_this_host_is_taken_over(make_state):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = make_state()
    dead.acquire("worldnews", ttl=600)
    # make the stored holder look like the dead process's
    dead_holder = dead.holder
    fake = dead_holder.split(":")
    fake[1] = str(proc.pid)
    if isinstance(dead, SqliteState):
        dead._db.execute("UPDATE locks SET holder = ?", (":".join(fake),))
    else:
        dead._redis.set(dead._lock.name, ":".join(fake))
    survivor = make_state()
    survivor.acquire("worldnews", ttl=600)
    with pytest.raises(CrawlLocked):
        make_state().acquire("worldnews", ttl=600)


def test_two_crawls_sharing_a_state_keep_their_own_captures(make_state):
    # Each archives into its own store: an article the other archived is not archived here, so not fresh.
    news, sport = make_state("news"), make_state("sport")
    news.put_many([_capture("http://a.test/x"), _capture("http://a.test/y")])
    assert sport.get("http://a.test/x") is None and sport.get("http://a.test/y") is None
    sport.put_many([_capture("http://a.test/x", "sha1:BBB")])
    assert news.get("http://a.test/x").payload_digest == "sha1:AAA"
    assert sport.get("http://a.test/x").payload_digest == "sha1:BBB"
    assert make_state("news").get("http://a.test/y") == _capture("http://a.test/y")  # a later run of the crawl
    if isinstance(news, SqliteState):
        assert make_state("weather").is_empty() and not make_state("news").is_empty()


def test_a_sqlite_state_of_an_earlier_version_belongs_to_the_first_crawl_that_opens_it(tmp_path, caplog):
    import sqlite3

    path = tmp_path / "state.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE captures (url TEXT PRIMARY KEY, fetched_at TEXT, status INTEGER, payload_digest TEXT,"
               " warc_uri TEXT, offset INTEGER, record_id TEXT, fetched_ts REAL)")
    db.execute("INSERT INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tuple(_capture("http://a.test/x").__dict__.values()))
    db.commit()
    db.close()
    with caplog.at_level("WARNING"):
        first = SqliteState(path, crawl="worldnews")
    assert first.get("http://a.test/x") == _capture("http://a.test/x")
    assert "1 capture(s) an earlier version kept for all crawls now belong to crawl 'worldnews'" in caplog.text
    other = SqliteState(path, crawl="other")
    assert other.get("http://a.test/x") is None and other.is_empty()
    first.close()
    other.close()
