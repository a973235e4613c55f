"""Breaks planted on purpose: each `*.patch` here is one small change a tired developer could
make that breaks one of the project's promises, with the tests that must then fail (its
guards). `python -m tests.breaks` plants each in a copy of HEAD and runs its guards; see
docs/contributing/promises.md. Not part of the README's test command."""
