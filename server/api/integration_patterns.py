"""The patterns an import's addresses, file names and file bytes must match, written for
JSON Schema (no look-arounds, no flags) so the schema states them as the server checks
them."""

from __future__ import annotations

_H16 = "[0-9A-Fa-f]{1,4}"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_LS32 = f"(?:{_H16}:{_H16}|{_IPV4})"


def _before(n: int) -> str:
    """Up to n+1 groups before a "::" (RFC 3986's `[ *n( h16 ":" ) h16 ]`)."""
    return f"(?:(?:{_H16}:){{0,{n}}}{_H16})?"


# RFC 3986's IPv6address, as Python's ipaddress reads it.
IPV6 = (
    "(?:"
    + "|".join(
        [
            f"(?:{_H16}:){{6}}{_LS32}",
            f"::(?:{_H16}:){{5}}{_LS32}",
            f"(?:{_H16})?::(?:{_H16}:){{4}}{_LS32}",
            f"{_before(1)}::(?:{_H16}:){{3}}{_LS32}",
            f"{_before(2)}::(?:{_H16}:){{2}}{_LS32}",
            f"{_before(3)}::{_H16}:{_LS32}",
            f"{_before(4)}::{_LS32}",
            f"{_before(5)}::{_H16}",
            f"{_before(6)}::",
        ]
    )
    + ")"
)
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[{IPV6}\])"
_PORT = "(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_PATH = "(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?"
# A site or API address: http(s), a host name or an IP address, a port, a path; no
# credentials, query or fragment. Whether its host resolves, and to public addresses
# only, is for DNS to say when it is used.
SITE_URL = rf"^[Hh][Tt][Tt][Pp][Ss]?://{_HOST}(?::{_PORT})?{_PATH}$"
# A file name a CSV export has.
CSV_NAME = r"^[^\x00]*\.(?:[Cc][Ss][Vv]|[Tt][Ss][Vv]|[Tt][Xx][Tt])$"
# Standard base64 with its padding, as `base64.b64decode(validate=True)` reads it.
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
