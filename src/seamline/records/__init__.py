"""The run's record files: what each line holds, how it is written and read back."""
