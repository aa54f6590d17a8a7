# Thin wrapper around scripts/: the scripts are the real entry points.
.PHONY: setup demo test assets

setup:
	./scripts/setup

demo:
	./scripts/demo

test:
	./scripts/test

assets: setup
	.venv/bin/python scripts/make_demo_assets.py
