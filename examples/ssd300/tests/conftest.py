"""Makes the replication's own files importable whichever folder pytest runs from
(`python3 -m pytest output/tests` as well as `cd output && python3 -m pytest tests`): the
folder above tests/ goes first on sys.path."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
