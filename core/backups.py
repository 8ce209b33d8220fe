"""Backups: one dated archive of the database and the uploads, and its restore.

An archive is a tar file (``charter-backup-YYYYMMDDTHHMMSSZ.tar``) holding:

- ``database.dump``: ``pg_dump --format=custom`` of the whole database. pg_dump reads one
  snapshot, so the dump is consistent however busy the site is;
- ``media/…``: every uploaded file under ``MEDIA_ROOT``, copied *after* the dump, so every
  file a dumped row names is there (uploads are written before their row commits);
- ``manifest.json``: the format, when, the applied migrations, and the SHA-256 and size of
  every other member. Restore refuses an archive whose members differ from it.

With ``BACKUP_KEY`` set, the tar is encrypted into ``….tar.enc`` (``encrypt_stream``):

    "CHARTER-BACKUP-AEAD-1\\n" | salt (16 bytes) | chunk | chunk | …
    chunk = ciphertext length (4 bytes, big-endian) | AES-256-GCM ciphertext and tag

Each file gets its own key, HKDF-SHA256(BACKUP_KEY, salt, "charter-backup v1"); each
chunk (1 MiB of the tar) is sealed with the nonce ``counter (11 bytes) | last (1 byte)``
and the header as associated data: the STREAM construction (Hoang, Reyhanitabar, Rogaway
and Vizár, 2015), as in age's payload. A changed, reordered, dropped or appended chunk, a
cut-off file, or the wrong key all fail decryption. Only ``cryptography``'s primitives are
used. ``BACKUP_KEY`` is 32 random bytes in URL-safe base64 (``manage.py backup --new-key``);
keep a copy away from the server, or the backups cannot be read.

PostgreSQL only: the embedded SQLite default is a single file to copy.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "charter-backup"
VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"
MAGIC = b"CHARTER-BACKUP-AEAD-1\n"
SALT_BYTES = 16
CHUNK = 1 << 20
_COPY = 1 << 16


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- the key and the encrypted stream --------------------------------------------------------------


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def parse_key(value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise BackupError("BACKUP_KEY must be 32 bytes in URL-safe base64 (manage.py backup --new-key).")
    return key


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"charter-backup v1").derive(key)
    return AESGCM(derived)


def _nonce(counter: int, *, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_stream(source: IO[bytes], target: IO[bytes], key: bytes) -> None:
    salt = os.urandom(SALT_BYTES)
    header = MAGIC + salt
    aead = _file_key(key, salt)
    target.write(header)
    counter = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(counter, last=last), chunk, header)
        target.write(len(sealed).to_bytes(4, "big") + sealed)
        if last:
            return
        chunk, counter = following, counter + 1


def _read_exact(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupError("The encrypted backup is cut off.")
    return data


def decrypt_stream(source: IO[bytes], target: IO[bytes], key: bytes) -> None:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("Not an encrypted Charter backup.")
    salt = _read_exact(source, SALT_BYTES)
    header = MAGIC + salt
    aead = _file_key(key, salt)
    counter = 0
    while True:
        length_bytes = source.read(4)
        if not length_bytes:
            raise BackupError("The encrypted backup is cut off (no final chunk).")
        if len(length_bytes) < 4:
            raise BackupError("The encrypted backup is cut off.")
        length = int.from_bytes(length_bytes, "big")
        if length > CHUNK + 16:
            raise BackupError("The encrypted backup is damaged (a chunk is too long).")
        sealed = _read_exact(source, length)
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(counter, last=last), sealed, header)
            except InvalidTag:
                continue
            target.write(plain)
            if last:
                if source.read(1):
                    raise BackupError("The encrypted backup has data after its final chunk.")
                return
            break
        else:
            raise BackupError("Cannot decrypt the backup: wrong BACKUP_KEY, or the file was changed.")
        counter += 1


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for a Django database settings dict (no password on a command line)."""
    if "postgresql" not in db.get("ENGINE", ""):
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://…); SQLite is one file to copy.")
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    done = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _connect(db: Mapping[str, Any]) -> psycopg.Connection[Any]:
    env = _pg_env(db)
    return psycopg.connect(
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname=env["PGDATABASE"],
        sslmode=env.get("PGSSLMODE"),
        connect_timeout=10,
    )


def database_objects(db: Mapping[str, Any]) -> int:
    """Tables, views and sequences outside PostgreSQL's own schemas: 0 for an empty database."""
    with _connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
        ).fetchone()
    return int(row[0]) if row else 0


def _applied_migrations(db: Mapping[str, Any]) -> dict[str, list[str]]:
    with _connect(db) as conn:
        rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


# --- the archive -------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(_COPY), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    if not media_root.is_dir():
        return
    for folder, dirs, files in os.walk(media_root):  # symbolic links are not followed
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield f"{MEDIA}/{path.relative_to(media_root).as_posix()}", path


def _add(archive: tarfile.TarFile, name: str, path: Path) -> None:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as f:
        archive.addfile(info, f)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    encrypted: bool
    files: int
    media_included: bool


def backup_create(
    *,
    db: Mapping[str, Any],
    media_root: Path | None,
    output_dir: Path,
    key: str = "",
    now: dt.datetime,
) -> BackupResult:
    """Dump the database, add the uploads and the manifest, encrypt when a key is given."""
    parsed = parse_key(key) if key else None
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"charter-backup-{stamp}.tar" + (".enc" if parsed else "")
    final = output_dir / name
    if final.exists():
        raise BackupError(f"{final} exists already.")
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as tmp:
        work = Path(tmp)
        dump = work / DUMP
        _run(["pg_dump", "--format=custom", "--no-password", f"--file={dump}"], _pg_env(db))
        files: dict[str, dict[str, Any]] = {DUMP: {"sha256": _sha256(dump), "size": dump.stat().st_size}}
        tar_path = work / "archive.tar"
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as archive:
            _add(archive, DUMP, dump)
            for arcname, path in _media_files(media_root) if media_root else ():
                files[arcname] = {"sha256": _sha256(path), "size": path.stat().st_size}
                _add(archive, arcname, path)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": now.astimezone(dt.UTC).isoformat(),
                "database": {"vendor": "postgresql", "dump": "pg_dump --format=custom"},
                "migrations": _applied_migrations(db),
                "media_included": media_root is not None,
                "files": files,
            }
            manifest_path = work / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
            _add(archive, MANIFEST, manifest_path)
        partial = work / name
        if parsed:
            with tar_path.open("rb") as source, partial.open("wb") as target:
                encrypt_stream(source, target, parsed)
        else:
            tar_path.rename(partial)
        partial.chmod(0o600)
        os.replace(partial, final)  # appears whole or not at all
    return BackupResult(final, parsed is not None, len(files), media_root is not None)


def backup_prune(*, output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives (their names sort by date)."""
    archives = sorted(output_dir.glob("charter-backup-*.tar*"))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"The archive holds an unsafe name: {name!r}.")
    if str(path) not in (DUMP, MANIFEST) and path.parts[0] != MEDIA:
        raise BackupError(f"The archive holds an unexpected member: {name!r}.")
    return str(path)


def _extract_checked(tar_path: Path, into: Path) -> dict[str, Any]:
    """Extract member by member (regular files only), then check them against the manifest."""
    digests: dict[str, str] = {}
    try:
        with tarfile.open(tar_path, "r:") as archive:
            for member in archive:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"The archive holds a link or device: {member.name!r}.")
                name = _safe_name(member.name)
                if name in digests:
                    raise BackupError(f"The archive holds {name!r} twice.")
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = archive.extractfile(member)
                assert source is not None
                with target.open("wb") as out:
                    while block := source.read(_COPY):
                        digest.update(block)
                        out.write(block)
                digests[name] = digest.hexdigest()
    except tarfile.TarError as exc:
        raise BackupError(f"Not a readable backup archive: {exc}.") from exc
    if MANIFEST not in digests:
        raise BackupError("The archive has no manifest.json.")
    manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("Not a Charter backup of a format this code reads.")
    expected = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    actual = {name: value for name, value in digests.items() if name != MANIFEST}
    if set(expected) != set(actual):
        missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
        raise BackupError(f"The archive does not match its manifest (missing {missing}, unlisted {extra}).")
    bad = sorted(name for name in expected if expected[name] != actual[name])
    if bad:
        raise BackupError(f"Checksum mismatch in the archive: {', '.join(bad)}.")
    return dict(manifest)


@dataclass(frozen=True)
class RestoreResult:
    created_at: str
    media_files: int
    migrations: dict[str, list[str]]


def backup_restore(
    *, path: Path, db: Mapping[str, Any], media_root: Path | None, key: str = ""
) -> RestoreResult:
    """Check the archive whole, then restore it into an EMPTY database (and the uploads)."""
    if not path.is_file():
        raise BackupError(f"No such file: {path}.")
    with tempfile.TemporaryDirectory(prefix="charter-restore-") as tmp:
        work = Path(tmp)
        tar_path = path
        if is_encrypted(path):
            if not key:
                raise BackupError("The backup is encrypted: set BACKUP_KEY to the key it was made with.")
            tar_path = work / "archive.tar"
            with path.open("rb") as source, tar_path.open("wb") as target:
                decrypt_stream(source, target, parse_key(key))
        extracted = work / "extracted"
        extracted.mkdir()
        manifest = _extract_checked(tar_path, extracted)
        media = sorted(name for name in manifest["files"] if name.startswith(f"{MEDIA}/"))
        if media and media_root is None:
            raise BackupError(
                "The backup holds uploads but no MEDIA_ROOT is configured to restore them into."
            )
        clashes = [
            name
            for name in media
            if media_root is not None
            and (media_root / name.removeprefix(f"{MEDIA}/")).exists()
            and _sha256(media_root / name.removeprefix(f"{MEDIA}/")) != manifest["files"][name]["sha256"]
        ]
        if clashes:
            raise BackupError(f"MEDIA_ROOT holds other files under the same names: {', '.join(clashes[:5])}.")
        found = database_objects(db)
        if found:
            raise BackupError(
                f"Database {db['NAME']!r} is not empty ({found} tables, views or sequences): restore only "
                "into a new, empty database (createdb), then point DATABASE_URL at it."
            )
        _run(
            [
                "pg_restore",
                "--no-password",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={db['NAME']}",
                str(extracted / DUMP),
            ],
            _pg_env(db),
        )
        for name in media:
            assert media_root is not None
            target = media_root / name.removeprefix(f"{MEDIA}/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extracted / name, target)
    return RestoreResult(manifest["created_at"], len(media), manifest.get("migrations", {}))
