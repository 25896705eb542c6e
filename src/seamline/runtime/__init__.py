"""What every service kind runs on: processes, ports, run dirs, readiness probes, the watchdog."""
