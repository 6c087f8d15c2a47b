#!/usr/bin/env python3
"""Crash safety of the encrypted cache: a writer taking in cases is killed with SIGKILL at a
random moment, again and again (>= 50 runs). After every kill the cache must open, pass
PRAGMA integrity_check, hold every case the writer reported as committed, and hold no torn case
(a case without its materials or outbox entry)."""
import os, random, signal, subprocess, sys, tempfile, time

cli, writer = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 60
rng = random.Random(int(os.environ.get("OW_CRASH_SEED", "20261128")))

with tempfile.TemporaryDirectory(prefix="ow-crash-") as data:
    subprocess.run([cli, "--data-dir", data, "init", "--admin", "admin", "--password-stdin"],
                   input=b"admin-pass-1\n", check=True, stdout=subprocess.DEVNULL)
    subprocess.run([cli, "--data-dir", data, "user", "add", "clerk", "--role", "clerk",
                    "--user", "admin", "--password-stdin"],
                   input=b"admin-pass-1\nclerk-pass-1\n", check=True, stdout=subprocess.DEVNULL)
    log = os.path.join(data, "..", os.path.basename(data) + "-committed.txt")
    failures = 0
    total_reported = 0
    runs_killed_writing = 0
    with open(log, "w") as committed:
        for run in range(runs):
            proc = subprocess.Popen([writer, data, "clerk", "clerk-pass-1"],
                                    stdout=subprocess.PIPE)
            # Kill somewhere between "still logging in" and "well into the writes".
            time.sleep(rng.uniform(0.2, 1.2))
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate()
            lines = out.decode(errors="replace").splitlines()
            errors = [l for l in lines if l.startswith("error:")]
            if errors:
                print(f"run {run}: writer error: {errors[0]}")
                failures += 1
            reported = [l for l in lines if l.startswith("committed ")]
            total_reported += len(reported)
            runs_killed_writing += 1 if reported else 0
            committed.write("\n".join(reported) + ("\n" if reported else ""))
            committed.flush()
            check = subprocess.run([writer, data, "clerk", "clerk-pass-1", "--verify", log],
                                   capture_output=True, text=True)
            status = "ok" if check.returncode == 0 else "FAILED"
            print(f"run {run:2d}: killed after {len(reported):4d} commits; {check.stdout.strip()} {status}")
            if check.returncode != 0:
                failures += 1
    os.unlink(log)
    print(f"{runs} kill -9 runs, {total_reported} commits reported, "
          f"{runs_killed_writing} runs killed while writing, {failures} failed")
    # Kills that all landed during the login would test nothing about torn writes.
    if runs_killed_writing < runs // 2:
        print(f"FAILED: only {runs_killed_writing} of {runs} runs were killed while writing")
        failures += 1
    sys.exit(1 if failures else 0)
