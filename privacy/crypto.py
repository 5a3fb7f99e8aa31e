"""Field encryption at rest (P15, CR-01 to CR-05): AES-256-GCM with keys named by an id.

A stored value reads ``enc:v1:<kid>:<base64url(nonce || ciphertext || tag)>``: the key id
says which key opens it, so keys rotate without a flag day (add a new key first, run
``manage.py reencrypt``, then drop the old one). The keys come from
``PRIVACY_FIELD_ENCRYPTION_KEYS`` (``"kid1:<base64 32 bytes>,kid0:<base64 32 bytes>"``, the
first one current), never from SECRET_KEY: rotating the one must not orphan the other.

Each value is bound to where it lives (the "associated data", e.g. ``accounts.Address.line1``),
so a ciphertext copied into another column does not decrypt there. Anything that cannot be
decrypted raises DecryptionError and logs an error: a value is never shown as ciphertext
or guessed (CR-02).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from privacy.conf import settings as privacy_settings

logger = logging.getLogger(__name__)

PREFIX = "enc:v1:"
NONCE_BYTES = 12
KEY_BYTES = 32
#: The development key: only outside production (kinetogram.settings.prod refuses it).
DEV_KEYS = "dev0:ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0="
DEV_KEY_IDS = frozenset({"dev0"})


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, tampered or truncated."""


@dataclasses.dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError:
            raise DecryptionError(f"no key with id {kid!r} is configured") from None


def parse_keys(spec: str) -> Keyring:
    """``"kid1:<b64>,kid0:<b64>"`` as a Keyring; raises ImproperlyConfigured naming the fault."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in (spec or "").split(",")):
        if not item:
            continue
        kid, sep, encoded = item.partition(":")
        kid = kid.strip()
        if not sep or not kid or not kid.isalnum():
            raise ImproperlyConfigured("PRIVACY_FIELD_ENCRYPTION_KEYS: each key is written <id>:<base64 key>.")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"PRIVACY_FIELD_ENCRYPTION_KEYS: key {kid!r} is not base64.") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"PRIVACY_FIELD_ENCRYPTION_KEYS: key {kid!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}."
            )
        if kid in keys:
            raise ImproperlyConfigured(f"PRIVACY_FIELD_ENCRYPTION_KEYS: key id {kid!r} appears twice.")
        keys[kid] = key
        order.append(kid)
    if not order:
        raise ImproperlyConfigured("PRIVACY_FIELD_ENCRYPTION_KEYS is empty: field encryption needs a key.")
    return Keyring(current=order[0], keys=keys)


@functools.lru_cache(maxsize=4)
def _keyring_for(spec: str) -> Keyring:
    return parse_keys(spec)


def keyring() -> Keyring:
    """The configured keys, read at call time (tests and rotation change the setting)."""
    return _keyring_for(privacy_settings.FIELD_ENCRYPTION_KEYS)


def generate_key() -> str:
    """A new random key, base64, for PRIVACY_FIELD_ENCRYPTION_KEYS."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id(token: str) -> str:
    """The id of the key that encrypted ``token``; raises DecryptionError when it is not a token."""
    if not is_encrypted(token):
        raise DecryptionError("not an encrypted value")
    kid, sep, _ = token[len(PREFIX) :].partition(":")
    if not sep or not kid:
        raise DecryptionError("malformed encrypted value")
    return kid


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext`` with the current key, bound to ``context`` (where it is stored)."""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.key(ring.current)).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}{ring.current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    """The plaintext of ``token``; raises DecryptionError (and logs an error, without the
    value) when it is not ours, was changed, or its key is no longer configured."""
    try:
        kid = key_id(token)
        raw = base64.urlsafe_b64decode(token[len(PREFIX) + len(kid) + 1 :].encode())
        if len(raw) < NONCE_BYTES + 16:
            raise DecryptionError("truncated encrypted value")
        plaintext = AESGCM(keyring().key(kid)).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except DecryptionError as exc:
        logger.error("Decryption failed for %s: %s", context, exc)
        raise
    except (InvalidTag, binascii.Error, ValueError) as exc:
        logger.error("Decryption failed for %s: %s", context, type(exc).__name__)
        raise DecryptionError(f"the value stored for {context} does not decrypt") from None
    return plaintext.decode()


def needs_rotation(token: str) -> bool:
    """True when ``token`` was encrypted with a key other than the current one."""
    return key_id(token) != keyring().current
