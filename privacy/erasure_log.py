"""The erasure log (PR-04; the ICO's "beyond use"): one JSON file per erasure, outside the database.

A database backup taken before an erasure brings the person back when it is restored; the
log does not go back with it, since it lives in its own storage
(``STORAGES[PRIVACY_ERASURE_LOG_STORAGE]``: a folder, or a bucket, that no database restore
touches). ``privacy_replay_erasures`` reads it and erases again whoever a restore brought
back.

An entry holds no readable personal data: keyed hashes of the person's email addresses and
phone numbers, the account's number and opening time (to tell it from an account that got
the same number after a restore), what was done per model, when, by whom and why.
"""

import datetime
import json
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from privacy.conf import settings as privacy_settings

FOLDER = "erasures"
VERSION = 1


def storage():
    return storages[privacy_settings.ERASURE_LOG_STORAGE]


def new_id(at: datetime.datetime) -> str:
    """Sorts in the order the erasures happened, and never repeats."""
    return f"{at.astimezone(datetime.UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def _path(entry_id: str) -> str:
    return f"{FOLDER}/{entry_id}.json"


def write(entry: dict) -> str:
    """Store one entry (its ``id`` names the file); returns the id."""
    body = json.dumps({"version": VERSION, **entry}, sort_keys=True, indent=1).encode()
    storage().save(_path(entry["id"]), ContentFile(body))
    return entry["id"]


def discard(entry_id: str):
    """Remove an entry whose erasure did not commit."""
    storage().delete(_path(entry_id))


def read(entry_id: str) -> dict:
    with storage().open(_path(entry_id), "rb") as handle:
        return json.loads(handle.read())


def entry_ids() -> list[str]:
    """Every logged erasure, oldest first."""
    try:
        _folders, files = storage().listdir(FOLDER)
    except FileNotFoundError:
        return []
    return sorted(name.removesuffix(".json") for name in files if name.endswith(".json"))
