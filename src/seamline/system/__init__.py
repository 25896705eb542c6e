"""Start and stop a declared system: graph, lifecycle, readiness, janitor."""
