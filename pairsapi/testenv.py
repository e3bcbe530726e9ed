"""Loaded by pytest (``-p pairsapi.testenv``) before Django reads its settings.

The suite runs with DEBUG off, as production does; it only needs a key to sign tokens with.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-signing-key-" + "0123456789abcdef" * 3)
os.environ.setdefault("STATIC_MANIFEST", "0")
# The suite talks plain HTTP on loopback and uses the documented demo passphrase on purpose.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOW_DEMO_SECRETS", "1")
# Many tests log in from the same address; the throttle tests set their own limits.
os.environ.setdefault("LOGIN_THROTTLE_RATE", "10000/min")
