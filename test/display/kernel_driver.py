"""Drives a real tslab kernel for test/display/kernel.test.ts.

Usage: python3 kernel_driver.py <cells.json> <cwd> <out.json>
Starts the kernelspec "tslab" (found through JUPYTER_PATH), runs each cell in turn, and writes one JSON document to <out.json>:
{"cells": [{"reply": {...}, "messages": [{"t": seconds, "msg_type": ..., "content": ...}, ...], "after": [...]}, ...]}
A cell is a string of code, or {"code": ..., "interrupt_after": seconds, "settle": seconds}: the kernel is
interrupted (SIGINT, as Jupyter's "Interrupt" button) that long after the cell starts, and every iopub message of
any parent arriving within `settle` seconds after the cell's idle status is kept in "after".
Every iopub message whose parent is the cell is kept, in arrival order, up to and including its idle status.
"""
import json
import queue
import sys
import time

from jupyter_client.manager import start_new_kernel


def run(cells, cwd):
    km, kc = start_new_kernel(kernel_name="tslab", cwd=cwd, startup_timeout=120)
    results = []
    try:
        for cell in cells:
            if isinstance(cell, str):
                cell = {"code": cell}
            start = time.monotonic()
            msg_id = kc.execute(cell["code"])
            interrupt_at = start + cell["interrupt_after"] if "interrupt_after" in cell else None
            messages = []
            while True:
                if interrupt_at is not None and time.monotonic() >= interrupt_at:
                    km.interrupt_kernel()
                    interrupt_at = None
                try:
                    msg = kc.get_iopub_msg(timeout=0.1 if interrupt_at is not None else 240)
                except queue.Empty:
                    continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                messages.append({"t": time.monotonic() - start, "msg_type": msg["msg_type"], "content": msg["content"]})
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    break
            reply = kc.get_shell_msg(timeout=60)
            while reply["parent_header"].get("msg_id") != msg_id:  # e.g. a late kernel_info_reply
                reply = kc.get_shell_msg(timeout=60)
            after = []
            settle_until = time.monotonic() + cell.get("settle", 0)
            while time.monotonic() < settle_until:
                try:
                    msg = kc.get_iopub_msg(timeout=max(0.01, settle_until - time.monotonic()))
                except queue.Empty:
                    break
                after.append({"t": time.monotonic() - start, "msg_type": msg["msg_type"], "content": msg["content"]})
            results.append({"reply": reply["content"], "messages": messages, "after": after})
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
