"""The asyncio HTTP engine shared by the stub server and the seam proxy."""
