"""Drive a running System from outside pytest: `seamline run` and the control API.

`runner.run_command` starts the system, runs any command against it and stops everything;
`server.ControlServer` serves the control API (docs/control-api.yaml) to that command's
tests, in any language, on the run's event loop.
"""
