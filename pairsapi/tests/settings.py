"""Settings of the test suite, loaded by pytest only (pyproject.toml): production's, plus what
makes the suite quick. The environment the suite runs in is set by ``pairsapi.testenv``."""

from pairsapi.settings import *  # noqa: F403

# The suite hashes hundreds of passwords; the production hasher is deliberately slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
