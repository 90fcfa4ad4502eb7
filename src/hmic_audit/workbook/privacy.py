"""Privacy for outputs that leave the inspection team: pseudonyms and publication rules.

``pseudonymise`` replaces every case reference with a keyed HMAC-SHA256 pseudonym
(``P-`` and 12 hex digits), so outputs can be matched back to cases only by someone who
holds the key. The key comes from the environment variable ``HMIC_AUDIT_PSEUDONYM_KEY``
or from a key file; it is never written anywhere, and without it the pseudonyms cannot be
reversed or recomputed.

Publication (``--publish``) hides small counts: ``PUBLISH_THRESHOLD`` by default (counts
1 to 5 shown as ``c``), never below ``MIN_PUBLISH_THRESHOLD``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from ..problems import HmicAuditError, Problem
from .frame import AuditFrame

KEY_VARIABLE = "HMIC_AUDIT_PSEUDONYM_KEY"
PUBLISH_THRESHOLD = 6
MIN_PUBLISH_THRESHOLD = 3
MIN_KEY_BYTES = 16


def load_key(key_file: Path | None) -> bytes:
    """The pseudonym key from a key file, else the environment; an error when neither."""
    if key_file is not None:
        try:
            key = key_file.read_bytes().strip()
        except OSError as exc:
            raise HmicAuditError("cannot read the key file", [Problem(
                code="key-unreadable", file=key_file.name,
                message=f"cannot be read: {exc.strerror}")]) from None
    else:
        key = os.environ.get(KEY_VARIABLE, "").encode()
    if len(key) < MIN_KEY_BYTES:
        raise HmicAuditError("no pseudonym key", [Problem(
            code="no-key", message=f"--pseudonymise needs a secret key of at least "
            f"{MIN_KEY_BYTES} characters, in the environment variable {KEY_VARIABLE} or a "
            "file given with --key-file")])
    return key


def pseudonym(key: bytes, case_ref: str) -> str:
    digest = hmac.new(key, case_ref.casefold().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"P-{digest[:12]}"


def pseudonymise(audits: AuditFrame, key: bytes) -> AuditFrame:
    """The same audits with every case reference replaced by its pseudonym."""
    import numpy as np

    made: dict[str, str] = {}
    refs = np.empty(len(audits), dtype=object)
    refs[:] = [made.setdefault(r, pseudonym(key, r)) if r not in made else made[r]
               for r in audits.case_ref.tolist()]
    return audits.with_refs(refs)


def publish_threshold(requested: int | None) -> int:
    """The suppression threshold for ``--publish``: the default, or one at least 3."""
    if requested is None or requested == 0:
        return PUBLISH_THRESHOLD
    if requested < MIN_PUBLISH_THRESHOLD:
        raise HmicAuditError("threshold too low to publish", [Problem(
            code="threshold-too-low", value=str(requested),
            message=f"--suppress {requested} is too low for publication; use "
            f"{MIN_PUBLISH_THRESHOLD} or more (the default for --publish is "
            f"{PUBLISH_THRESHOLD})")])
    return requested
