"""HTTPS: the collector serves TLS with a certificate, and sends HSTS."""
import os
import ssl
import subprocess
import urllib.request

import pytest


@pytest.fixture
def cert(tmp_path):
    key, crt = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    for p in (tmp_path, key, crt):
        os.chmod(p, 0o755 if p == tmp_path else 0o644)
    return str(crt), str(key)


def test_https_with_hsts(collector_factory, cert):
    crt, key = cert
    c = collector_factory(config="http:\n  tls_cert: %s\n  tls_key: %s\n" % (crt, key)).start()
    assert c.url.startswith("https://")
    ctx = ssl.create_default_context(cafile=crt)
    with urllib.request.urlopen(c.url + "/api/v1/health", context=ctx, timeout=10) as r:
        assert r.status == 200
        assert "max-age=" in r.headers["Strict-Transport-Security"]
    req = urllib.request.Request(c.url + "/api/v1/write?precision=s", data=b"tls,host=t v=1",
                                 headers=c.auth(), method="POST")
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        assert r.status == 204
    # a client that does not trust the certificate cannot talk to it
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(c.url + "/api/v1/health", timeout=10)


def test_tls_needs_both_files(collector_factory, cert, tmp_path):
    crt, _ = cert
    conf = tmp_path / "c.yaml"
    conf.write_text("http:\n  tls_cert: %s\n" % crt)
    from conftest import Collector
    r = subprocess.run([Collector.binary, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert r.returncode == 1 and "tls_key" in r.stderr


def test_bad_certificate_refuses_to_start(collector_factory, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    os.chmod(tmp_path, 0o755)
    c = collector_factory(config="http:\n  tls_cert: %s\n  tls_key: %s\n" % (bad, bad))
    with pytest.raises(AssertionError) as e:
        c.start()
    assert "TLS" in str(e.value)
