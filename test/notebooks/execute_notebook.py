"""Executes one notebook top to bottom with a Jupyter kernel (nbclient), as Jupyter would, and saves it with outputs.

usage: execute_notebook.py INPUT OUTPUT [--kernel tslab] [--timeout 600] [--html OUTPUT.html]

The kernel runs in INPUT's folder. Exit status 0 when every cell ran; 1 with the failing cell's error otherwise (the
notebook is still saved, with the error output, so the caller can show it). --html also writes nbconvert's HTML.
"""
import argparse
import os
import sys

import nbformat
from nbclient import NotebookClient


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--html")
    args = ap.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    cwd = os.path.dirname(os.path.abspath(args.input))
    client = NotebookClient(nb, kernel_name=args.kernel, timeout=args.timeout, resources={"metadata": {"path": cwd}})
    status = 0
    try:
        client.execute()
    except Exception as error:  # a failing cell, a timeout, a dead kernel: save what ran
        print(str(error), file=sys.stderr)
        status = 1
    nbformat.write(nb, args.output)
    if args.html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(body)
    return status


if __name__ == "__main__":
    sys.exit(main())
