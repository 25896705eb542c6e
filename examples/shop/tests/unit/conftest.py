"""Unit tests of the shop's pure logic: no servers, no network.

The services are packages run from their own folders (seamline's `workdir`); put those
folders on the path so the tests import them the same way.
"""

import sys
from pathlib import Path

SHOP = Path(__file__).resolve().parents[2]
for folder in ("api", "payments", "web", "scripts"):
    sys.path.insert(0, str(SHOP / folder))
