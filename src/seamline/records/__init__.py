"""The run's record files: what each line holds, how it is written and read back.

`layout` names the files, `lines` types every line and holds the format version, `writer`
appends lines, `reader` reads a record dir back (upgrading older versions), `exchange` and
`run` are what the seams and the System write. docs/architecture.md ("Record formats")
documents the files from `lines`.
"""
