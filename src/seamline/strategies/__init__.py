"""Integration strategies: recordings of green runs, replay, drivers and drift.

recordings.py   the recording of each seam: WireMock mappings + index.json (the format's owner)
noise.py        the volatile parts recordings match loosely and drift ignores
replay.py       per-seam stub servers that serve a recording (replay, record-missing)
drive.py        recorded requests sent to the real provider; drift per seam
errors.py       what can be wrong with a recording
"""
