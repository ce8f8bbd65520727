"""Credentials never reach the log, even when passed as settings."""

from newscrawl.safety.redact import redact

from .conftest import run_crawl


def test_redact_masks_secret_settings_and_url_passwords():
    text = ("{'AWS_ACCESS_KEY_ID': 'AKIAXYZ', 'AWS_SECRET_ACCESS_KEY': 'abc/def+1', 'AWS_SESSION_TOKEN': \"tok\","
            " 'REDIS_URL': 'redis://:hunter2@127.0.0.1:6379/0', 'WARC_STORE': 's3://bucket/p'}")
    out = redact(text)
    for secret in ("AKIAXYZ", "abc/def+1", "tok", "hunter2"):
        assert secret not in out
    assert "'WARC_STORE': 's3://bucket/p'" in out and "127.0.0.1:6379" in out


def test_crawl_log_has_no_credentials_passed_as_settings(demo_site, tmp_path):
    result = run_crawl(tmp_path, demo_site.start_urls[:1], "AWS_ACCESS_KEY_ID=AKIATESTKEYID0000",
                       "AWS_SECRET_ACCESS_KEY=sEcReT/value+0123456789", "REDIS_URL=redis://:pa55word@127.0.0.1:1/0")
    assert result.returncode == 0
    assert "Overridden settings" in result.log
    for secret in ("AKIATESTKEYID0000", "sEcReT/value+0123456789", "pa55word"):
        assert secret not in result.log
