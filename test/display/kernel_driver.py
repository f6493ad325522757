"""Drives a real tslab kernel for test/display/kernel.test.ts.

Usage: python3 kernel_driver.py <cells.json> <cwd> <out.json>
Starts the kernelspec "tslab" (found through JUPYTER_PATH), runs each cell in turn, and writes one JSON document to <out.json>:
{"cells": [{"reply": {...}, "messages": [{"t": seconds, "msg_type": ..., "content": ...}, ...]}, ...]}
Every iopub message whose parent is the cell is kept, in arrival order, up to and including its idle status.
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel


def run(cells, cwd):
    km, kc = start_new_kernel(kernel_name="tslab", cwd=cwd, startup_timeout=120)
    results = []
    try:
        for code in cells:
            start = time.monotonic()
            msg_id = kc.execute(code)
            messages = []
            while True:
                msg = kc.get_iopub_msg(timeout=240)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                messages.append({"t": time.monotonic() - start, "msg_type": msg["msg_type"], "content": msg["content"]})
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    break
            reply = kc.get_shell_msg(timeout=60)
            while reply["parent_header"].get("msg_id") != msg_id:  # e.g. a late kernel_info_reply
                reply = kc.get_shell_msg(timeout=60)
            results.append({"reply": reply["content"], "messages": messages})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        cells = json.load(f)
    result = {"cells": run(cells, sys.argv[2])}
    with open(sys.argv[3], "w") as f:
        json.dump(result, f, default=str)
