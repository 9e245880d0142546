"""Signatures: the Standard Webhooks test vector, the receiver's checks, stale replays."""

from __future__ import annotations

import base64
import urllib.request
from typing import TYPE_CHECKING

import pytest

from stoat.commands._webhook_secrets import (
    SealError,
    SecretBox,
    check_secret,
    new_secret,
    secret_box,
    secret_key,
    sign,
)
from tests.webhooks._receiver import TOLERANCE_SECONDS, VerificationError, verify
from tests.webhooks.conftest import make_project, subscribe

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from tests.webhooks._receiver import Receiver

# From the Standard Webhooks reference libraries' tests.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signing_matches_the_standard_webhooks_vector() -> None:
    key = secret_key(VECTOR_SECRET)
    assert sign(key, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_the_verifier_accepts_the_vector_and_rejects_changes() -> None:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    now = VECTOR_TIMESTAMP + 10
    assert verify(VECTOR_SECRET, headers, VECTOR_BODY, now=now) == {"test": 2432232314}
    # Several signatures (key rotation): any v1 match will do.
    rotated = {**headers, "webhook-signature": f"v1,AAAA v1a,xyz {VECTOR_SIGNATURE}"}
    assert verify(VECTOR_SECRET, rotated, VECTOR_BODY, now=now)
    for changed, body in (
        ({**headers, "webhook-id": "msg_other"}, VECTOR_BODY),
        ({**headers, "webhook-timestamp": str(VECTOR_TIMESTAMP + 1)}, VECTOR_BODY),
        (headers, VECTOR_BODY + b" "),
        ({**headers, "webhook-signature": "v2," + VECTOR_SIGNATURE[3:]}, VECTOR_BODY),
    ):
        with pytest.raises(VerificationError):
            verify(VECTOR_SECRET, changed, body, now=now)
    with pytest.raises(VerificationError, match="too old"):
        verify(VECTOR_SECRET, headers, VECTOR_BODY, now=now + TOLERANCE_SECONDS)
    with pytest.raises(VerificationError, match="too new"):
        verify(VECTOR_SECRET, headers, VECTOR_BODY, now=VECTOR_TIMESTAMP - TOLERANCE_SECONDS - 1)
    with pytest.raises(VerificationError, match="missing"):
        verify(VECTOR_SECRET, {}, VECTOR_BODY, now=now)


def test_a_recorded_delivery_replayed_later_is_rejected(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    subscribe(client, receiver)
    make_project(client, "recorded")
    (recorded,) = receiver.wait_accepted(1)
    assert receiver.secret is not None
    verify(receiver.secret, recorded.headers, recorded.body)  # genuine when it came

    # An attacker replays the captured request six minutes later.
    receiver.clock_offset = TOLERANCE_SECONDS + 60
    status = _post(receiver.url, recorded.body, recorded.headers)
    assert status == 401
    replay = receiver.snapshot()[-1]
    assert replay.error == "the timestamp is too old"

    # A newer timestamp on the captured signature does not verify either.
    receiver.clock_offset = 0
    newer = int(recorded.headers["webhook-timestamp"]) + 1
    fresh = {**recorded.headers, "webhook-timestamp": str(newer)}
    assert _post(receiver.url, recorded.body, fresh) == 401
    assert receiver.snapshot()[-1].error == "no matching signature"


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    wanted = ("content-type", "webhook-id", "webhook-timestamp", "webhook-signature")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={k: headers[k] for k in wanted}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_new_secrets_follow_the_format() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(secret_key(secret)) == 32
    assert check_secret(secret) is None
    assert new_secret() != secret


@pytest.mark.parametrize(
    "secret",
    [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  # no prefix
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"short").decode(),
        "whsec_" + base64.b64encode(bytes(65)).decode(),
    ],
)
def test_bad_secrets_are_named(secret: str) -> None:
    error = check_secret(secret)
    assert error is not None
    assert error["code"] == "invalid_secret"
    assert error["loc"] == ("secret",)


def test_sealed_secrets_open_only_with_their_key_and_subscription(tmp_path: Path) -> None:
    box = secret_box(tmp_path)
    assert (tmp_path / "webhooks.key").stat().st_mode & 0o777 == 0o600
    assert secret_box(tmp_path) is box
    secret = new_secret()
    sealed = box.seal(secret, "sub-1")
    assert secret not in sealed
    assert secret.removeprefix("whsec_") not in sealed
    assert box.open(sealed, "sub-1") == secret
    assert box.seal(secret, "sub-1") != sealed  # a fresh nonce each time
    with pytest.raises(SealError):
        box.open(sealed, "sub-2")  # copied onto another subscription
    with pytest.raises(SealError):
        SecretBox(bytes(32)).open(sealed, "sub-1")  # another data directory's key
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SealError):
        box.open(tampered, "sub-1")
    with pytest.raises(SealError):
        box.open("v9.abc", "sub-1")
