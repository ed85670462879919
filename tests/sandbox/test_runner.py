"""The sandbox runner's ordinary behaviour: output, files, binds, stdin, exit codes, limit messages."""

import os
import textwrap
from pathlib import Path

import pytest

from sandbox.runner import Limits, Result, _classify, _fmt_bytes, run_python


def run(tmp_path: Path, code: str, **kw) -> Result:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "main.py").write_text(textwrap.dedent(code))
    return run_python(ws, "main.py", **kw)


def test_normal_program_returns_stdout(tmp_path):
    r = run(tmp_path, "print('hello', 6 * 7)\n")
    assert r.returncode == 0 and r.limit is None and r.message == "ok"
    assert r.stdout == "hello 42\n" and r.stderr == ""
    assert not r.truncated and r.duration_s < 10


def test_runs_as_unprivileged_uid_in_work(tmp_path):
    r = run(tmp_path, "import os; print(os.getuid(), os.getgid(), os.getcwd(), os.environ['HOME'])")
    assert r.stdout.split() == ["65534", "65534", "/work", "/work"]


def test_numpy_can_be_imported(tmp_path):
    r = run(tmp_path, "import numpy as np; print(np.arange(10).sum())")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "45"


def test_learner_modules_importable_from_work(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "helper.py").write_text("VALUE = 'from helper'\n")
    r = run(tmp_path, "import helper; print(helper.VALUE)")
    assert r.stdout.strip() == "from helper", r.stderr


def test_file_written_to_work_is_visible_in_code_dir(tmp_path):
    r = run(tmp_path, """
        import os
        os.makedirs('/work/results', exist_ok=True)
        with open('/work/results/metrics.json', 'w') as f:
            f.write('{"acc": 0.9}')
    """)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "ws" / "results" / "metrics.json"
    assert out.read_text() == '{"acc": 0.9}'
    # ownership is handed back to the code_dir's owner after the run
    assert out.stat().st_uid == (tmp_path / "ws").stat().st_uid == os.getuid()


def test_readonly_bind_is_readable_not_writable(tmp_path):
    data = tmp_path / "snapshot"
    data.mkdir()
    (data / "train.csv").write_text("x,y\n1,2\n")
    r = run(tmp_path, """
        print(open('/data/train.csv').read().splitlines()[1])
        for path in ('/data/train.csv', '/data/new.csv'):
            try:
                open(path, 'a').write('evil')
                print('WROTE', path)
            except OSError as e:
                print('denied', type(e).__name__)
    """, readonly_binds={data: "/data"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "1,2"
    assert "WROTE" not in r.stdout and r.stdout.count("denied") == 2
    assert (data / "train.csv").read_text() == "x,y\n1,2\n"
    assert not (data / "new.csv").exists()


def test_writable_dir_is_mounted_at_output(tmp_path):
    outdir = tmp_path / "out"
    outdir.mkdir()
    r = run(tmp_path, "open('/output/model.bin', 'wb').write(b'abc')", writable_dir=outdir)
    assert r.returncode == 0, r.stderr
    assert (outdir / "model.bin").read_bytes() == b"abc"


def test_stdin_is_passed(tmp_path):
    r = run(tmp_path, "import sys; data = sys.stdin.read(); print(data.upper())", stdin=b"some input")
    assert r.stdout.strip() == "SOME INPUT"


def test_extra_env_is_passed(tmp_path):
    r = run(tmp_path, "import os; print(os.environ['DLC_EPOCHS'], os.environ['OMP_NUM_THREADS'])",
            env={"DLC_EPOCHS": "3"})
    assert r.stdout.split() == ["3", "1"]


def test_exit_code_propagates(tmp_path):
    r = run(tmp_path, "import sys; print('bye'); sys.exit(3)")
    assert r.returncode == 3 and r.limit is None
    assert r.stdout == "bye\n" and r.message == "exited with status 3"


def test_exception_traceback_in_stderr(tmp_path):
    r = run(tmp_path, "def f():\n    raise ValueError('boom')\nf()\n")
    assert r.returncode == 1 and r.limit is None
    assert "Traceback (most recent call last)" in r.stderr
    assert 'File "/work/main.py", line 2, in f' in r.stderr
    assert "ValueError: boom" in r.stderr


def test_private_tmp_is_writable(tmp_path):
    r = run(tmp_path, "open('/tmp/scratch', 'w').write('x'); print(open('/tmp/scratch').read())")
    assert r.stdout.strip() == "x", r.stderr


def test_limit_messages():
    lim = Limits()
    assert _fmt_bytes(lim.memory_bytes) == "512 MiB"
    assert _fmt_bytes(lim.output_bytes) == "64 KiB"
    assert _classify(None, "", 0, lim, True, False) == ("wall_time", "time limit 15 s exceeded (wall clock)")
    assert _classify(152, "", 10.0, lim, False, False) == ("cpu_time", "time limit 10 s exceeded (CPU time)")
    assert _classify(1, "MemoryError\n", 0, lim, False, False) == ("memory", "memory limit 512 MiB exceeded")
    assert _classify(1, "OSError: [Errno 27] File too large\n", 0, lim, False, False) == (
        "file_size", "file size limit 16 MiB exceeded")
    assert _classify(1, "BlockingIOError: [Errno 11] Resource temporarily unavailable", 0, lim, False, False) == (
        "processes", "process limit 32 exceeded")
    assert _classify(None, "", 0, lim, False, True) == ("output", "output truncated at 64 KiB")
    # a successful program that merely prints the word is not a memory failure
    assert _classify(0, "MemoryError", 0, lim, False, False) == (None, "ok")


def test_bad_code_dir_rejected(tmp_path):
    with pytest.raises(ValueError):
        run_python(tmp_path / "missing", "main.py")
