"""Drawing a contest's winner (P02): random, one draw per contest, and checkable afterwards.

The seed comes from the operating system's random source (``secrets``, the same source as
``random.SystemRandom``). The winner is a pure function of the seed and the ordered entry
ids, both stored on the Draw, so the draw can be run again from its record and give the
same winner: that is what makes it auditable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from contests.models import Contest, Draw, Entry
from privacy.models import AuditEvent
from privacy.services import audit_record


class DrawError(Exception):
    """The draw cannot be made; the message says why."""


def entries_digest(entry_ids) -> str:
    """SHA-256 of the ids joined by commas, in the order given."""
    return hashlib.sha256(",".join(str(pk) for pk in entry_ids).encode()).hexdigest()


def winning_index(seed: str, entry_ids) -> int:
    """The position of the winner in ``entry_ids``: HMAC-SHA256 keyed by the seed over the
    ordered ids, as a 256-bit number, modulo their count (a bias below 2^-200)."""
    if not entry_ids:
        raise DrawError("There are no entries to draw from.")
    digest = hmac.new(bytes.fromhex(seed), ",".join(str(pk) for pk in entry_ids).encode(), hashlib.sha256)
    return int.from_bytes(digest.digest(), "big") % len(entry_ids)


def draw_replay(draw: Draw) -> int:
    """The winning entry id, computed again from the draw's record alone. Raises DrawError
    when the stored ids do not match the stored hash."""
    if entries_digest(draw.entry_ids) != draw.entries_hash:
        raise DrawError("The draw's list of entries does not match its hash.")
    return draw.entry_ids[winning_index(draw.seed, draw.entry_ids)]


@transaction.atomic
def draw_create(*, contest: Contest, actor, now=None) -> Draw:
    """Draw the winner of a closed contest from its confirmed entries.

    Writes one Draw (seed, ordered entry ids, their hash, the winner) and one AuditEvent
    (who drew, the draw's id, the winner's account if any; no values). Emails nobody.
    Raises DrawError when the contest has not closed, has no entries, or was drawn already.
    """
    now = now or timezone.now()
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if not contest.has_closed(now):
        raise DrawError("The contest has not closed yet: draw the winner after it closes.")
    if Draw.objects.filter(contest=contest).exists():
        raise DrawError("The winner of this contest has already been drawn.")
    entry_ids = list(Entry.objects.filter(contest=contest).order_by("pk").values_list("pk", flat=True))
    if not entry_ids:
        raise DrawError("The contest has no entries to draw from.")
    seed = secrets.token_hex(32)
    winner_id = entry_ids[winning_index(seed, entry_ids)]
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                contest=contest,
                seed=seed,
                entry_ids=entry_ids,
                entries_hash=entries_digest(entry_ids),
                winner_id=winner_id,
                winner_entry_id=winner_id,
                drawn_at=now,
            )
    except IntegrityError:
        raise DrawError("The winner of this contest has already been drawn.") from None
    winner_user_id = Entry.objects.filter(pk=winner_id).values_list("user_id", flat=True).first()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ADD,
        model=Draw,
        object_id=draw.pk,
        subject_id=winner_user_id or "",
        fields=["seed", "entry_ids", "winner"],
        detail=f"winner drawn for contest #{contest.pk} from {len(entry_ids)} entries",
    )
    return draw
