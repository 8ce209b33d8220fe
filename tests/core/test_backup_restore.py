"""Backups restore: the demo, backed up and restored into a fresh database, verifies and
counts the same; a damaged, tampered or wrongly keyed archive, or a non-empty database, is
refused before anything is written."""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core import backups
from core.backups import BackupError, decrypt_stream, encrypt_stream, new_key, parse_key
from members.models import Organisation
from tests.core.backup_digest import digest

ROOT = Path(__file__).resolve().parents[2]
LOGO = b"\x89PNG\r\n\x1a\n not really an image, but a file to restore"

# --- the encrypted stream ------------------------------------------------------------------------


def _roundtrip(data: bytes, key: bytes) -> bytes:
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(data), sealed, key)
    opened = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed.getvalue()), opened, key)
    return opened.getvalue()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(backups, "CHUNK", 64)
    return 64


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 64 * 5, 64 * 5 + 7])
def test_encryption_round_trips_any_length(small_chunks, size):
    data = os.urandom(size)
    assert _roundtrip(data, parse_key(new_key())) == data


def _sealed(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key)
    return out.getvalue()


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    header_size = len(backups.MAGIC) + backups.SALT_BYTES
    header, rest, chunks = blob[:header_size], blob[header_size:], []
    while rest:
        length = int.from_bytes(rest[:4], "big")
        chunks.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return header, chunks


def _open(blob: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, key)
    return out.getvalue()


def test_a_changed_byte_a_wrong_key_a_cut_reordered_or_extended_file_are_refused(small_chunks):
    key = parse_key(new_key())
    data = os.urandom(64 * 3 + 10)
    blob = _sealed(data, key)
    header, chunks = _chunks(blob)
    assert len(chunks) == 4
    flipped = bytearray(blob)
    flipped[len(header) + 10] ^= 1
    cases = {
        "changed byte": bytes(flipped),
        "wrong key": blob,
        "last chunk dropped": header + b"".join(chunks[:-1]),
        "reordered": header + chunks[1] + chunks[0] + b"".join(chunks[2:]),
        "appended": blob + chunks[-1],
        "cut in a chunk": blob[:-5],
    }
    for name, candidate in cases.items():
        with pytest.raises(BackupError):
            _open(candidate, parse_key(new_key()) if name == "wrong key" else key)
    assert _open(blob, key) == data


def test_each_file_has_its_own_key_and_nonces(small_chunks):
    key = parse_key(new_key())
    assert _sealed(b"same", key) != _sealed(b"same", key)


@pytest.mark.parametrize("value", ["", "too-short", "!" * 44, "A" * 40, "A" * 64])  # 30 and 48 bytes
def test_a_malformed_backup_key_is_refused(value):
    with pytest.raises(BackupError, match="32 bytes"):
        parse_key(value)


# --- the archive ---------------------------------------------------------------------------------


def _tar(tmp_path: Path, members: dict[str, bytes], manifest: dict[str, Any] | None) -> Path:
    path = tmp_path / "charter-backup-x.tar"
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if manifest is not None:
            raw = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path


def _manifest(members: dict[str, bytes]) -> dict[str, Any]:
    import hashlib

    return {
        "format": "charter-backup",
        "version": 1,
        "created_at": "2026-06-01T00:00:00+00:00",
        "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in members.items()},
    }


def test_restore_refuses_an_archive_that_does_not_match_its_manifest(tmp_path):
    members = {"database.dump": b"dump", "media/logos/a.png": b"logo"}
    manifest = _manifest(members)
    tampered = {**members, "media/logos/a.png": b"another logo"}
    cases = [
        (tampered, manifest, "Checksum mismatch"),
        ({**members, "media/extra.png": b"x"}, manifest, "does not match its manifest"),
        (members, None, "no manifest"),
        ({"../../etc/passwd": b"x"}, _manifest({"../../etc/passwd": b"x"}), "unsafe name"),
    ]
    for contents, listed, message in cases:
        archive = _tar(tmp_path, contents, listed)
        with pytest.raises(BackupError, match=message):
            backups.backup_restore(
                path=archive,
                db={"ENGINE": "django.db.backends.postgresql", "NAME": "never-reached"},
                media_root=tmp_path / "media",
            )
        archive.unlink()
    assert not (tmp_path / "media").exists()


def test_an_encrypted_archive_needs_the_key(tmp_path, settings):
    archive = tmp_path / "charter-backup-x.tar.enc"
    with archive.open("wb") as out:
        encrypt_stream(io.BytesIO(b"anything"), out, parse_key(new_key()))
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="encrypted: set BACKUP_KEY"):
        call_command("restore", str(archive), media_root=str(tmp_path / "media"))
    settings.BACKUP_KEY = new_key()
    with pytest.raises(CommandError, match="wrong BACKUP_KEY"):
        call_command("restore", str(archive), media_root=str(tmp_path / "media"))


def test_backups_need_postgresql(tmp_path):
    with pytest.raises(BackupError, match="need PostgreSQL"):
        backups.backup_create(
            db={"ENGINE": "django.db.backends.sqlite3", "NAME": "x"},
            media_root=None,
            output_dir=tmp_path,
            now=__import__("datetime").datetime(2026, 6, 1, tzinfo=__import__("datetime").UTC),
        )


def test_prune_keeps_the_newest(tmp_path):
    for day in ("20260101", "20260102", "20260103"):
        (tmp_path / f"charter-backup-{day}T031500Z.tar.enc").write_bytes(b"x")
    deleted = backups.backup_prune(output_dir=tmp_path, keep=2)
    assert [p.name for p in deleted] == ["charter-backup-20260101T031500Z.tar.enc"]
    assert len(list(tmp_path.iterdir())) == 2


# --- PostgreSQL: back up, restore, verify ----------------------------------------------------------


def _url(db: dict[str, Any]) -> str:
    auth = quote(db.get("USER") or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def fresh_database() -> Iterator[dict[str, Any]]:
    source = connection.settings_dict
    name = f"charter_restore_{os.getpid()}_{secrets.token_hex(4)}"
    admin = psycopg.connect(_url({**source, "NAME": "postgres"}), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _digest_of(db: dict[str, Any], media_root: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _url(db),
        "MEDIA_ROOT": str(media_root),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.backup_digest"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_demo_restored_from_an_encrypted_backup_verifies_and_counts_the_same(
    settings, tmp_path, fresh_database
):
    call_command("seed_demo", stdout=io.StringIO())  # before any override: it checks the settings module
    settings.MEDIA_ROOT = tmp_path / "media"
    org = Organisation.objects.order_by("pk").first()
    assert org is not None
    (tmp_path / "media" / "logos").mkdir(parents=True)
    (tmp_path / "media" / "logos" / "restored.png").write_bytes(LOGO)
    Organisation.objects.filter(pk=org.pk).update(logo="logos/restored.png")
    before = digest()
    assert before["audit"]["ok"] and before["audit"]["checked"] > 100
    assert {e["state"] for e in before["elections"].values()} >= {"certified", "counted"}
    assert before["rows"]["ballots"] > 0 and before["logos"]["logos/restored.png"]

    settings.BACKUP_KEY = new_key()
    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=io.StringIO())
    [archive] = (tmp_path / "backups").iterdir()
    assert archive.name.endswith(".tar.enc") and backups.is_encrypted(archive)
    assert b"@demo.charter.invalid" not in archive.read_bytes()  # encrypted: no address readable

    restored_media = tmp_path / "restored-media"
    call_command(
        "restore",
        str(archive),
        database_url=_url(fresh_database),
        media_root=str(restored_media),
        stdout=io.StringIO(),
    )
    after = _digest_of(fresh_database, restored_media)

    assert after == before
    assert after["audit"]["ok"]
    for slug, election in after["elections"].items():
        if election["stored_fingerprint"]:
            assert election["recomputed_fingerprint"] == election["stored_fingerprint"], slug
        if election["stored_result"]:
            assert election["recount"] == election["stored_count"], slug
        for package in election["packages"]:
            assert package["data_sha256"] == package["sha256"], slug

    # Restoring again, now that the database holds the foundation, is refused.
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "restore", str(archive), database_url=_url(fresh_database), media_root=str(restored_media)
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_tampered_backup_is_refused_and_the_database_stays_empty(settings, tmp_path, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEY = ""
    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=io.StringIO(), stderr=io.StringIO())
    [archive] = (tmp_path / "backups").iterdir()
    assert archive.name.endswith(".tar") and not backups.is_encrypted(archive)
    # Change one byte inside the dump: the tar still reads, the checksum does not match.
    with tarfile.open(archive) as t:
        offset = t.getmember("database.dump").offset_data
    blob = bytearray(archive.read_bytes())
    blob[offset + 100] ^= 0xFF
    archive.write_bytes(bytes(blob))
    with pytest.raises(CommandError, match=r"Checksum mismatch in the archive: database\.dump"):
        call_command(
            "restore", str(archive), database_url=_url(fresh_database), media_root=str(tmp_path / "m")
        )
    assert backups.database_objects(fresh_database) == 0
