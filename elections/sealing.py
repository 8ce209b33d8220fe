"""Sealed ballots: what casting stores is readable only with the election's private key.

Nothing here is home-made cryptography; it is the usual composition of `cryptography`'s
primitives (the construction of libsodium's sealed box and of HPKE's base mode):

- **The election key.** An X25519 key pair generated when voting opens. The public half
  seals ballots; the private half is stored only *wrapped*: encrypted with
  ChaCha20-Poly1305 under a key derived (HKDF-SHA256) from the key-encryption key
  ``BALLOT_KEK`` of the environment, with the election's id as associated data. The
  database never holds it in the clear, so a copy of the database (a dump, a backup, a
  replica) cannot open a ballot without the environment as well. The close unwraps it
  once, opens every ballot and deletes the key row.
- **A sealed ballot.** For each ballot a fresh ephemeral X25519 key agrees a secret with
  the election's public key; HKDF-SHA256 (bound to both public keys) turns it into a
  one-time ChaCha20-Poly1305 key. Stored: ``version || ephemeral public key || nonce ||
  ciphertext``. The plaintext is ``{"c": choices, "w": weight}`` padded to a length fixed
  for the election when voting opens, so the ciphertext's length says neither how many
  preferences the ballot has nor its weight.

``BALLOT_KEK`` is any secret of at least 32 characters (``python -c "import secrets;
print(secrets.token_urlsafe(48))"``). Production refuses to start without one; development
and tests derive a fixed, openly non-production value (``DEV_BALLOT_KEK``).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32
#: The development and test default. Its name says what it is; production refuses it.
DEV_BALLOT_KEK = "dev-only-insecure-ballot-kek-never-use-in-production"
MIN_KEK_CHARS = 32
_LENGTH = struct.Struct(">I")


class SealError(Exception):
    """A key or a sealed ballot that cannot be opened (wrong key-encryption key, tampering)."""


@dataclass(frozen=True)
class KeyPair:
    public: bytes  # 32 bytes, raw X25519
    wrapped_private: bytes  # nonce || ChaCha20-Poly1305(private), under the key-encryption key
    kek_id: str  # which key-encryption key wrapped it (a digest, not the key)
    pad_to: int  # every plaintext of this election is padded to this many bytes


def check_kek(value: str, *, production: bool) -> None:
    """Refuse a missing, short or (in production) development key-encryption key."""
    if not value:
        raise ImproperlyConfigured("The ballot key-encryption key is missing: set BALLOT_KEK.")
    if len(value) < MIN_KEK_CHARS:
        raise ImproperlyConfigured(f"BALLOT_KEK must be at least {MIN_KEK_CHARS} characters long.")
    if production and value == DEV_BALLOT_KEK:
        raise ImproperlyConfigured("BALLOT_KEK is the development value; production needs its own.")


def _kek() -> bytes:
    value = str(getattr(settings, "BALLOT_KEK", "") or "")
    check_kek(value, production=False)
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"charter ballot key-encryption key"
    ).derive(value.encode("utf-8"))


def kek_id() -> str:
    """A short public digest naming the key-encryption key in force (to explain a mismatch)."""
    return hashlib.sha256(b"charter kek id:" + _kek()).hexdigest()[:16]


def pad_size(candidates: int) -> int:
    """The padded plaintext length for an election with ``candidates`` on the ballot.

    Room for every candidate id (up to 19 digits and a comma) and the largest weight, in
    blocks of 256 bytes: the longest possible ballot fits, so every ballot has this length.
    """
    longest = _LENGTH.size + len('{"c":[],"w":}') + 20 * max(candidates, 1) + 20
    return 256 * math.ceil(longest / 256)


def _key_aad(election_id: int) -> bytes:
    return b"charter election key:%d" % election_id


def _ballot_aad(election_id: int) -> bytes:
    return b"charter sealed ballot:%d" % election_id


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_key(*, election_id: int, candidates: int) -> KeyPair:
    """A fresh election key pair; only the public half leaves this function unwrapped."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = nonce + ChaCha20Poly1305(_kek()).encrypt(nonce, raw_private, _key_aad(election_id))
    return KeyPair(
        public=_raw_public(private.public_key()),
        wrapped_private=wrapped,
        kek_id=kek_id(),
        pad_to=pad_size(candidates),
    )


def unwrap_key(*, election_id: int, wrapped_private: bytes) -> X25519PrivateKey:
    """The election's private key, unwrapped with the key-encryption key in force."""
    nonce, body = bytes(wrapped_private[:NONCE_BYTES]), bytes(wrapped_private[NONCE_BYTES:])
    try:
        raw = ChaCha20Poly1305(_kek()).decrypt(nonce, body, _key_aad(election_id))
    except InvalidTag:
        raise SealError("the election key cannot be unwrapped with this BALLOT_KEK") from None
    return X25519PrivateKey.from_private_bytes(raw)


def _one_time_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"charter sealed ballot v1" + ephemeral + recipient,
    ).derive(shared)


def seal(*, election_id: int, public: bytes, pad_to: int, choices: list[int], weight: int) -> bytes:
    """Seal one ballot (choices and weight) to the election's public key."""
    text = json.dumps({"c": choices, "w": weight}, separators=(",", ":")).encode("ascii")
    plain = _LENGTH.pack(len(text)) + text
    if len(plain) > pad_to:
        raise SealError("the ballot is longer than the election's padded size")
    plain += b"\x00" * (pad_to - len(plain))
    recipient = X25519PublicKey.from_public_bytes(bytes(public))
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral.public_key())
    key = _one_time_key(ephemeral.exchange(recipient), ephemeral_public, bytes(public))
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = ChaCha20Poly1305(key).encrypt(nonce, plain, _ballot_aad(election_id))
    return VERSION + ephemeral_public + nonce + body


def open_sealed(*, election_id: int, private: X25519PrivateKey, sealed: bytes) -> tuple[list[int], int]:
    """Open one sealed ballot: its choices and weight."""
    sealed = bytes(sealed)
    if sealed[:1] != VERSION or len(sealed) < 1 + 32 + NONCE_BYTES + 16:
        raise SealError("not a sealed ballot of a known version")
    ephemeral_public = sealed[1:33]
    nonce = sealed[33 : 33 + NONCE_BYTES]
    body = sealed[33 + NONCE_BYTES :]
    recipient = _raw_public(private.public_key())
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    try:
        plain = ChaCha20Poly1305(_one_time_key(shared, ephemeral_public, recipient)).decrypt(
            nonce, body, _ballot_aad(election_id)
        )
    except InvalidTag:
        raise SealError("a sealed ballot does not open: it was altered or sealed to another key") from None
    (length,) = _LENGTH.unpack(plain[: _LENGTH.size])
    payload = json.loads(plain[_LENGTH.size : _LENGTH.size + length])
    return [int(pk) for pk in payload["c"]], int(payload["w"])
