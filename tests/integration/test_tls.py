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


def check(conf_text, tmp_path):
    from conftest import Collector
    conf = tmp_path / "check.yaml"
    conf.write_text(conf_text)
    return subprocess.run([Collector.binary, "-t", "-c", str(conf)], capture_output=True,
                          text=True)


def test_check_loads_the_certificate_files(cert, tmp_path):
    """-t loads the certificate and key as the start does (issue #10, item 20)."""
    crt, key = cert
    r = check("http:\n  tls_cert: %s\n  tls_key: %s\n" % (crt, key), tmp_path)
    assert r.returncode == 0 and "configuration OK" in r.stdout, r.stderr
    missing = str(tmp_path / "missing.pem")
    r = check("http:\n  tls_cert: %s\n  tls_key: %s\n" % (missing, key), tmp_path)
    assert r.returncode == 1 and "configuration OK" not in r.stdout
    assert "http.tls_cert %s: No such file or directory" % missing in r.stderr, r.stderr
    r = check("http:\n  tls_cert: %s\n  tls_key: %s\n" % (crt, missing), tmp_path)
    assert r.returncode == 1
    assert "http.tls_key %s: No such file or directory" % missing in r.stderr, r.stderr
    other = tmp_path / "other.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-out", str(other)],
                   check=True, capture_output=True)
    r = check("http:\n  tls_cert: %s\n  tls_key: %s\n" % (crt, other), tmp_path)
    assert r.returncode == 1
    assert "does not belong to the certificate %s" % crt in r.stderr, r.stderr


def test_a_bad_certificate_is_named_with_openssl_words(collector_factory, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    os.chmod(tmp_path, 0o755)
    r = check("http:\n  tls_cert: %s\n  tls_key: %s\n" % (bad, bad), tmp_path)
    assert r.returncode == 1 and "(null)" not in r.stderr
    assert "is not a usable PEM certificate: no start line" in r.stderr, r.stderr
    c = collector_factory(config="http:\n  tls_cert: %s\n  tls_key: %s\n" % (bad, bad))
    with pytest.raises(AssertionError) as e:
        c.start()
    assert "no start line" in str(e.value) and "(null)" not in str(e.value)
