"""Interrupts a running fit in a real tslab kernel (test/kernel/interrupt.test.ts).

Usage: python3 interrupt_driver.py <cells.json> <cwd> <out.json>
cells.json = {"setup": code, "train": code, "after": code, "interrupt_when": text}
Runs setup, starts train, sends the kernel an interrupt (SIGINT, as Jupyter's "Interrupt" button does) as soon as a
stream message of the train cell contains interrupt_when, waits for that cell to finish, then runs after.
Writes {"setup", "train", "train_late", "after": [iopub messages], "interrupted_at": seconds}; train_late holds the
train cell's messages that arrived after its idle status (while "after" ran).
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel


def collect(kc, msg_id, on_message=None, timeout=240, late=None):
    """Messages of cell msg_id up to its idle; messages of an earlier cell arriving meanwhile go to `late`."""
    start = time.monotonic()
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            if late is not None and msg["parent_header"].get("msg_id") == late["id"]:
                late["messages"].append({"t": time.monotonic() - start, "msg_type": msg["msg_type"], "content": msg["content"]})
            continue
        messages.append({"t": time.monotonic() - start, "msg_type": msg["msg_type"], "content": msg["content"]})
        if on_message:
            on_message(msg)
        if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
            return messages


def main():
    with open(sys.argv[1]) as f:
        cells = json.load(f)
    km, kc = start_new_kernel(kernel_name="tslab", cwd=sys.argv[2], startup_timeout=120)
    out = {}
    try:
        out["setup"] = collect(kc, kc.execute(cells["setup"]))
        state = {"sent": None}
        t0 = time.monotonic()

        def maybe_interrupt(msg):
            text = msg["content"].get("text", "")
            if state["sent"] is None and msg["msg_type"] == "stream" and cells["interrupt_when"] in text:
                km.interrupt_kernel()
                state["sent"] = time.monotonic() - t0

        train_id = kc.execute(cells["train"])
        out["train"] = collect(kc, train_id, maybe_interrupt)
        out["interrupted_at"] = state["sent"]
        # tslab ends an interrupted async cell at once; what the stopping fit prints still carries that cell's id.
        late = {"id": train_id, "messages": []}
        # tslab aborts requests that arrive within 200 ms of a failed (here: interrupted) cell.
        time.sleep(1.0)
        out["after"] = collect(kc, kc.execute(cells["after"]), late=late)
        out["train_late"] = late["messages"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    with open(sys.argv[3], "w") as f:
        json.dump(out, f, default=str)


if __name__ == "__main__":
    main()
