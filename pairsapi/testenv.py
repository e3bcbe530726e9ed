"""Loaded by pytest (``-p pairsapi.testenv``) before Django reads its settings.

The suite runs with DEBUG off, as production does; it only needs a key to sign tokens with.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-signing-key")
os.environ.setdefault("FAST_PASSWORD_HASHING", "1")
os.environ.setdefault("STATIC_MANIFEST", "0")
