"""Where webhooks may point: SSRF refusal at creation and at delivery; the backoff."""

from __future__ import annotations

import ipaddress
import subprocess
from typing import TYPE_CHECKING

import msgspec
import pytest

from stoat.commands._webhook_targets import TargetRefused, parse_target, refusal
from stoat.settings import Settings
from stoat.workers._webhook_http import post
from stoat.workers.webhooks import backoff
from tests.webhooks._receiver import Receiver

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The default: private targets refused."""
    return msgspec.structs.replace(settings, webhooks_allow_private=False)


PRIVATE_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.9/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
    "http://100.64.0.1/hook",  # carrier-grade NAT
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "https://127.1/hook",
]


def test_private_targets_are_refused_by_default(client: TestClient[Litestar]) -> None:
    for url in PRIVATE_URLS:
        response = client.post("/v1/webhooks", json={"url": url, "event_types": ["*"]})
        assert response.status_code == 422, (url, response.text)
        problem = response.json()
        assert problem["code"] == "url_host_not_allowed", (url, problem)
        assert problem["errors"][0]["path"] == "url"
        assert "STOAT_WEBHOOKS_ALLOW_PRIVATE" in problem["errors"][0]["hint"]
    assert client.get("/v1/events", params={"types": "WebhookCreated"}).json()["items"] == []


def test_public_targets_are_allowed(client: TestClient[Litestar]) -> None:
    # Validation only resolves the literal address; nothing is sent (no such event yet).
    body = {"url": "https://93.184.215.14/hooks?x=1", "event_types": ["RenderCompleted"]}
    response = client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    client.delete(f"/v1/webhooks/{response.json()['id']}")


def test_delivery_checks_again_and_never_connects(receiver: Receiver) -> None:
    """A host that resolved to a public address at creation may not later lead inside."""
    answer = post(receiver.url, b"{}", {}, timeout=5, allow_private=False)
    assert answer.status_code is None
    assert answer.error.startswith("refused: ")
    assert "loopback" in answer.error
    assert receiver.snapshot() == []
    allowed = post(receiver.url, b"{}", {}, timeout=5, allow_private=True)
    assert allowed.status_code == 204
    assert allowed.ok


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for ``localhost`` (key included)."""
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "localhost.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    pem.write_text((folder / "cert.pem").read_text() + (folder / "key.pem").read_text())
    return pem


def test_https_checks_the_certificate_of_the_url_host(
    certificate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = Receiver().start(certfile=str(certificate))
    try:
        by_name = endpoint.url.replace("127.0.0.1", "localhost")
        untrusted = post(by_name, b"{}", {}, timeout=5, allow_private=True)
        assert untrusted.status_code is None
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.error
        # Trusted, the name in the URL is what TLS checks, though the socket goes to the
        # address that was resolved and allowed.
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
        assert post(by_name, b"{}", {}, timeout=5, allow_private=True).status_code == 204
        wrong_name = post(endpoint.url, b"{}", {}, timeout=5, allow_private=True)
        assert "CERTIFICATE_VERIFY_FAILED" in wrong_name.error  # no SAN for 127.0.0.1
        (request,) = endpoint.snapshot()
        assert request.headers["host"] == by_name.split("/")[2]
    finally:
        endpoint.stop()


def test_connection_failures_are_answers_not_exceptions() -> None:
    answer = post("http://127.0.0.1:9/", b"{}", {}, timeout=2, allow_private=True)
    assert answer.status_code is None
    assert "ConnectionRefusedError" in answer.error
    assert not answer.ok


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 around 127.0.0.1
        ("100.64.0.1", "an address that is not globally routable"),
        ("224.0.0.1", "a multicast or unspecified address"),
        ("::", "a multicast or unspecified address"),
    ],
)
def test_address_policy(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address), allow_private=False) == reason


def test_allowing_private_still_refuses_multicast() -> None:
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_private=True) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), allow_private=True) is None
    assert refusal(ipaddress.ip_address("239.1.1.1"), allow_private=True) is not None


def test_urls_parse_into_targets() -> None:
    target = parse_target("HTTPS://Example.COM/a/b?c=d")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "example.com",
        443,
        "/a/b?c=d",
    )
    assert parse_target("http://[::1]:8080").path == "/"
    assert parse_target("http://bücher.example/").host == "xn--bcher-kva.example"
    for bad in ("http://a b/", "http://x/#frag", "http://" + "a" * 2050, "mailto:x@y"):
        with pytest.raises(TargetRefused):
            parse_target(bad)


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    settings = Settings(webhooks_retry_base_seconds=5, webhooks_retry_max_seconds=60)
    for attempt, base in enumerate([5, 10, 20, 40], start=1):
        for _ in range(20):
            assert base <= backoff(attempt, settings) <= min(60, base * 1.1)
    assert backoff(5, settings) == 60
    assert backoff(500, settings) == 60
    assert backoff(1, settings, retry_after=30) == 30  # the endpoint asked for longer
    assert backoff(1, settings, retry_after=3600) == 60  # never beyond the cap
    defaults = Settings()
    total = sum(backoff(n, defaults) for n in range(1, defaults.webhooks_disable_after_failures))
    assert 40 * 3600 < total < 60 * 3600  # about two days before a webhook is disabled
