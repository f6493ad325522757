"""Drives a real Jupyter kernel (tslab, or Deno's) for the kernel tests.

Usage: python3 kernel_driver.py <cells.json> <cwd> <out.json> [kernel name, default "tslab"]
Starts the kernelspec (found through JUPYTER_PATH), runs each cell in turn, and writes one JSON document to <out.json>:
{"cells": [{"reply": {...}, "messages": [{"t": seconds, "msg_type": ..., "content": ..., "late": bool}, ...],
            "after": [...], "interrupted_at": seconds or null, "alive": bool}, ...]}
A cell is a string of code, or {"code": ..., "interrupt_after": seconds, "interrupt_when": text, "settle": seconds,
"late": seconds}: the kernel is interrupted (SIGINT, as Jupyter's "Interrupt" button) that long after the cell starts,
or as soon as one of its stream messages contains `interrupt_when`; every iopub message of any parent arriving within
`settle` seconds after the cell's idle status is kept in "after"; the cell's own messages arriving within `late`
seconds after its idle status (Deno's kernel sends some of them after it) are added to "messages" with "late": true.
Every iopub message whose parent is the cell is kept, in arrival order, up to and including its idle status.
If the kernel process dies, the cell is recorded with "alive": false and no reply, and no later cell runs.
"""
import json
import queue
import sys
import time

from jupyter_client.manager import start_new_kernel


def record(msg, start, late=False):
    entry = {"t": time.monotonic() - start, "msg_type": msg["msg_type"], "content": msg["content"]}
    if late:
        entry["late"] = True
    return entry


def run(cells, cwd, kernel_name):
    km, kc = start_new_kernel(kernel_name=kernel_name, cwd=cwd, startup_timeout=120)
    results = []
    try:
        for cell in cells:
            if isinstance(cell, str):
                cell = {"code": cell}
            start = time.monotonic()
            msg_id = kc.execute(cell["code"])
            interrupt_at = start + cell["interrupt_after"] if "interrupt_after" in cell else None
            interrupt_when = cell.get("interrupt_when")
            interrupted_at = None
            messages = []
            alive = True
            deadline = start + 240
            while True:
                if interrupt_at is not None and time.monotonic() >= interrupt_at:
                    km.interrupt_kernel()
                    interrupted_at = time.monotonic() - start
                    interrupt_at = None
                try:
                    msg = kc.get_iopub_msg(timeout=0.1)
                except queue.Empty:
                    if not km.is_alive():
                        alive = False
                        break
                    if time.monotonic() > deadline:
                        raise TimeoutError("cell did not finish within 240 s")
                    continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                messages.append(record(msg, start))
                if interrupt_when is not None and msg["msg_type"] == "stream" and interrupt_when in msg["content"].get("text", ""):
                    km.interrupt_kernel()
                    interrupted_at = time.monotonic() - start
                    interrupt_when = None
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    break
            if not alive:
                results.append({"reply": None, "messages": messages, "after": [], "interrupted_at": interrupted_at, "alive": False})
                break
            reply = kc.get_shell_msg(timeout=60)
            while reply["parent_header"].get("msg_id") != msg_id:  # e.g. a late kernel_info_reply
                reply = kc.get_shell_msg(timeout=60)
            after = []
            late_until = time.monotonic() + cell.get("late", 0)
            settle_until = time.monotonic() + cell.get("settle", 0)
            while time.monotonic() < max(late_until, settle_until):
                try:
                    msg = kc.get_iopub_msg(timeout=max(0.01, max(late_until, settle_until) - time.monotonic()))
                except queue.Empty:
                    break
                now = time.monotonic()
                if now < late_until and msg["parent_header"].get("msg_id") == msg_id:
                    messages.append(record(msg, start, late=True))
                if now < settle_until:
                    after.append(record(msg, start))
            results.append({"reply": reply["content"], "messages": messages, "after": after, "interrupted_at": interrupted_at, "alive": km.is_alive()})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        cells = json.load(f)
    result = {"cells": run(cells, sys.argv[2], sys.argv[4] if len(sys.argv) > 4 else "tslab")}
    with open(sys.argv[3], "w") as f:
        json.dump(result, f, default=str)
