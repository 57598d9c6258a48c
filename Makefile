# The two commands of the README.
.PHONY: setup demo test

setup:
	bash scripts/setup.sh

# Sets everything up, then imports, codes and writes the bilan annex of the demo group.
demo: setup
	.venv/bin/gacp bilan corpora/demo

# Sets everything up, then runs the whole test suite.
test: setup
	.venv/bin/python -m pytest -q
