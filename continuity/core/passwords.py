"""Password rules for accounts that protect health data.

CNIL's guidance for a password alone protecting sensitive data asks for at least 12
characters of mixed kinds; we ask for 12 characters and at least three of the four kinds
(lower case, upper case, digit, other), and refuse a password containing the login.
"""

from __future__ import annotations

from continuity.core.errors import BadInput
from continuity.core.i18n import _

MIN_LENGTH = 12


def check_password_policy(password: str, login: str = "") -> None:
    """Raise BadInput with one sentence when the password is too weak; nothing is stored."""
    if len(password) < MIN_LENGTH:
        raise BadInput(_("The password must have at least 12 characters."))
    kinds = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if kinds < 3:
        raise BadInput(
            _(
                "The password must mix at least three kinds of characters: lower case, "
                "upper case, digits, symbols."
            )
        )
    if login and login.lower() in password.lower():
        raise BadInput(_("The password must not contain the user name."))
