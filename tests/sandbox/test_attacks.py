"""Hostile learner code: each attack must fail safely, be reported, and leave this process working.

Run with:  .venv/bin/python -m pytest tests/sandbox -q
"""

import os
import socket
import subprocess
import threading
import time
from pathlib import Path


from sandbox.runner import SANDBOX_GID, SANDBOX_UID, Limits, run_python
from tests.sandbox.test_runner import run

REPO = Path(__file__).resolve().parents[2]
SETTINGS = REPO / "platform" / "dlclassroom" / "settings.py"


def still_works(tmp_path: Path) -> None:
    """After an attack the runner (and this process) keep working."""
    ws = tmp_path / "after"
    ws.mkdir(exist_ok=True)
    (ws / "main.py").write_text("print('still fine')")
    r = run_python(ws, "main.py")
    assert r.returncode == 0 and r.stdout == "still fine\n", r


def host_pids() -> set[int]:
    return {int(p) for p in os.listdir("/proc") if p.isdigit()}


def no_sandbox_processes(timeout: float = 3.0) -> bool:
    """True once no process of the sandbox uid is left (pid-namespace teardown is asynchronous)."""
    end = time.monotonic() + timeout
    while uid_processes(SANDBOX_UID):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def uid_processes(uid: int) -> list[int]:
    found = []
    for pid in host_pids():
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                found.append(pid)
        except FileNotFoundError:
            pass
    return found


PROBE = """
import sys
def probe(label, fn):
    try:
        value = fn()
        print(label, 'LEAKED', repr(value)[:200])
    except Exception as e:
        print(label, 'blocked', type(e).__name__)
"""


# ----------------------------------------------------------------------------- network


def test_network_is_unreachable(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted = []

    def accept_loop():
        end = time.monotonic() + 10
        while time.monotonic() < end and not stop.is_set():
            try:
                accepted.append(server.accept())
            except (TimeoutError, OSError):
                pass

    stop = threading.Event()
    t = threading.Thread(target=accept_loop, daemon=True)
    t.start()
    try:
        r = run(tmp_path, PROBE + f"""
import socket
def connect(host, port):
    s = socket.create_connection((host, port), timeout=2)
    return s.getpeername()
probe('loopback', lambda: connect('127.0.0.1', {port}))
probe('external', lambda: connect('1.1.1.1', 53))
probe('dns', lambda: socket.getaddrinfo('example.com', 80))
""")
    finally:
        stop.set()
        t.join()
        server.close()
    assert r.returncode == 0, r.stderr
    assert "LEAKED" not in r.stdout, r.stdout
    assert r.stdout.count("blocked") == 3
    assert accepted == []


# ----------------------------------------------------------------------------- reading secrets


def test_host_secrets_are_not_readable(tmp_path):
    data_root = tmp_path / "data"
    data_root.mkdir()
    db = data_root / "db.sqlite3"
    db.write_text("SQLite format 3 SECRET-DB-CONTENT")
    other = tmp_path / "workspaces" / "other-learner"
    other.mkdir(parents=True)
    (other / "solution.py").write_text("SECRET-OTHER-SOLUTION")
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_hidden.py").write_text("SECRET-HIDDEN-TEST")
    assert SETTINGS.exists()
    targets = {
        "shadow": "/etc/shadow",
        "settings": str(SETTINGS),
        "settings_rel": "../main/platform/dlclassroom/settings.py",
        "db": str(db),
        "other": str(other / "solution.py"),
        "other_rel": "../workspaces/other-learner/solution.py",
        "hidden": str(hidden / "test_hidden.py"),
        "root_home": "/root/.bash_history",
        "root_pyenv_parent": "/root/.pyenv/version",
        "repo_from_venv": "/opt/venv/../../work/main/manage.py",
    }
    code = PROBE + "\n".join(f"probe({k!r}, lambda: open({v!r}).read())" for k, v in targets.items())
    r = run(tmp_path, code)
    assert r.returncode == 0, r.stderr
    assert "LEAKED" not in r.stdout, r.stdout
    assert r.stdout.count("blocked") == len(targets)
    for secret in ("SECRET-DB-CONTENT", "SECRET-OTHER-SOLUTION", "SECRET-HIDDEN-TEST", "SECRET_KEY"):
        assert secret not in r.stdout + r.stderr


def test_repository_is_not_visible_anywhere(tmp_path):
    r = run(tmp_path, """
        import os
        hits = []
        for top in ('/', ):
            for dirpath, dirnames, filenames in os.walk(top):
                if dirpath in ('/proc', '/sys', '/usr', '/opt/venv/lib'):
                    dirnames[:] = []
                    continue
                for name in dirnames + filenames:
                    if name in ('dlclassroom', 'manage.py', 'settings_test.py', 'db.sqlite3', '.git'):
                        hits.append(os.path.join(dirpath, name))
        print(sorted(os.listdir('/')))
        print('HITS', hits)
    """)
    assert r.returncode == 0, r.stderr
    assert "HITS []" in r.stdout, r.stdout
    assert "home" not in r.stdout.splitlines()[0]


def test_etc_passwd_is_generated_not_the_hosts(tmp_path):
    host_users = [line.split(":")[0] for line in Path("/etc/passwd").read_text().splitlines() if line]
    host_root = next(line for line in Path("/etc/passwd").read_text().splitlines() if line.startswith("root:"))
    r = run(tmp_path, "print(open('/etc/passwd').read())")
    assert r.returncode == 0, r.stderr
    inside_users = [line.split(":")[0] for line in r.stdout.splitlines() if line]
    assert inside_users == ["root", "sandbox"]
    assert host_root not in r.stdout  # the host's root entry (home /root, real shell) is not there
    assert set(host_users) - {"root"} and not (set(host_users) - {"root"}) & set(inside_users)


def test_environment_does_not_leak_host_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "host-secret-key-123")
    monkeypatch.setenv("DATABASE_URL", "postgres://admin:pw-456@db/dlc")
    r = run(tmp_path, """
        import os
        print(sorted(os.environ))
        print(repr(dict(os.environ)))
        for p in ('/proc/self/environ', '/proc/1/environ'):
            try:
                print(open(p, 'rb').read())
            except OSError as e:
                print(p, type(e).__name__)
    """)
    assert r.returncode == 0, r.stderr
    for secret in ("host-secret-key-123", "pw-456", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        assert secret not in r.stdout


# ----------------------------------------------------------------------------- writing


def test_writes_outside_work_fail_and_tmp_is_private(tmp_path):
    marker = f"dlc-sandbox-marker-{os.getpid()}-{time.time_ns()}"
    host_tmp_entry = tmp_path.parts[2] if len(tmp_path.parts) > 2 else tmp_path.name  # e.g. pytest-of-root
    code = PROBE + f"""
probe('usr', lambda: open('/usr/x', 'w').write('x'))
probe('root', lambda: open('/x', 'w').write('x'))
probe('etc', lambda: open('/etc/passwd', 'a').write('x'))
probe('venv', lambda: open('/opt/venv/pwned.py', 'w').write('x'))
probe('python', lambda: open('/opt/venv/lib/python3.11/site-packages/numpy/__init__.py', 'a').write('x'))
import os
open('/tmp/{marker}', 'w').write('x')
print('TMP', sorted(os.listdir('/tmp')))
"""
    r = run(tmp_path, code)
    assert r.returncode == 0, r.stderr
    assert "LEAKED" not in r.stdout and r.stdout.count("blocked") == 5, r.stdout
    tmp_line = next(line for line in r.stdout.splitlines() if line.startswith("TMP"))
    assert marker in tmp_line and host_tmp_entry not in tmp_line  # the sandbox's /tmp is its own
    assert not Path("/tmp", marker).exists()
    assert not Path("/usr/x").exists() and not Path("/x").exists()


def test_file_size_limit(tmp_path):
    limits = Limits(file_bytes=1 * 2**20)
    r = run(tmp_path, """
        with open('/work/big.bin', 'wb') as f:
            for _ in range(20):
                f.write(b'x' * 2**20)
    """, limits=limits)
    assert r.limit == "file_size", r
    assert r.message == "file size limit 1 MiB exceeded"
    assert (tmp_path / "ws" / "big.bin").stat().st_size <= limits.file_bytes
    still_works(tmp_path)


# ----------------------------------------------------------------------------- resources


def test_fork_bomb_is_contained(tmp_path):
    assert no_sandbox_processes()
    before = len(host_pids())
    r = run(tmp_path, """
        import os
        while True:
            os.fork()
    """, limits=Limits(wall_seconds=4, processes=16))
    assert r.limit == "processes", r
    assert r.message == "process limit 16 exceeded"
    assert r.duration_s < 10
    assert no_sandbox_processes()  # nothing survived the kill
    assert len(host_pids()) <= before + 5
    still_works(tmp_path)


def test_memory_balloon(tmp_path):
    r = run(tmp_path, """
        blocks = []
        for _ in range(8):
            blocks.append(bytearray(256 * 2**20))  # 2 GiB in total
        print('allocated')
    """)
    assert r.limit == "memory", r
    assert r.message == "memory limit 512 MiB exceeded"
    assert "allocated" not in r.stdout
    still_works(tmp_path)


def test_numpy_memory_balloon(tmp_path):
    r = run(tmp_path, "import numpy as np; a = np.ones(2**28); print(a.sum())")
    assert r.limit == "memory", r
    assert "Unable to allocate" in r.stderr


def test_infinite_loop_cpu_time(tmp_path):
    r = run(tmp_path, "while True:\n    pass\n", limits=Limits(cpu_seconds=1, wall_seconds=10))
    assert r.limit == "cpu_time", r
    assert r.message == "time limit 1 s exceeded (CPU time)"
    assert r.duration_s < 5


def test_sleeping_forever_wall_time(tmp_path):
    r = run(tmp_path, "import time\nprint('start', flush=True)\ntime.sleep(600)\n",
            limits=Limits(wall_seconds=1.5))
    assert r.limit == "wall_time", r
    assert r.message == "time limit 1.5 s exceeded (wall clock)"
    assert r.stdout == "start\n"
    assert 1.5 <= r.duration_s < 5
    assert no_sandbox_processes()


def test_grandchild_is_killed_with_the_sandbox(tmp_path):
    r = run(tmp_path, """
        import subprocess, sys, time
        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)
        time.sleep(600)
    """, limits=Limits(wall_seconds=1.5))
    assert r.limit == "wall_time", r
    assert no_sandbox_processes()


def test_huge_output_is_truncated(tmp_path):
    r = run(tmp_path, """
        import sys
        chunk = 'x' * 2**20
        for _ in range(100):
            sys.stdout.write(chunk)
    """)
    assert r.limit == "output", r
    assert r.truncated
    assert r.message == "output truncated at 64 KiB"
    assert len(r.stdout) + len(r.stderr) <= 64 * 1024
    assert len(r.stdout) == 64 * 1024 and set(r.stdout) == {"x"}
    assert r.duration_s < 5
    still_works(tmp_path)


def test_too_many_open_files(tmp_path):
    r = run(tmp_path, """
        files = [open('/work/main.py') for _ in range(1000)]
    """, limits=Limits(open_files=32))
    assert r.returncode != 0
    assert "Too many open files" in r.stderr


# ----------------------------------------------------------------------------- processes and privileges


def test_cannot_kill_host_processes(tmp_path):
    # a host process running as the very uid the sandbox uses: still unreachable (pid namespace)
    victim = subprocess.Popen(["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}", "--clear-groups",
                               "sleep", "60"])
    try:
        time.sleep(0.1)
        r = run(tmp_path, PROBE + f"""
import os, signal
probe('parent', lambda: os.kill(os.getppid(), signal.SIGKILL))
probe('init', lambda: os.kill(1, signal.SIGKILL))
probe('test_process', lambda: os.kill({os.getpid()}, signal.SIGKILL))
probe('victim', lambda: os.kill({victim.pid}, signal.SIGKILL))
killed = 0
for pid in range(2, 70000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except OSError:
            pass
print('pids visible', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
print('killed', killed)
""")
        assert victim.poll() is None, "a host process was killed from inside the sandbox"
        # inside the pid namespace the only other processes are bwrap's own (pid 1 ignores signals from inside)
        assert "test_process blocked ProcessLookupError" in r.stdout or str(os.getpid()) not in r.stdout
        assert r.limit is None and r.returncode == 0, r
    finally:
        victim.kill()
        victim.wait()
    still_works(tmp_path)


def test_ctypes_privilege_escalation_fails(tmp_path):
    r = run(tmp_path, """
        import ctypes, ctypes.util, os
        libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        def call(name, *args):
            rc = getattr(libc, name)(*args)
            print(name, rc, os.strerror(ctypes.get_errno()) if rc != 0 else '')
        call('setuid', 0)
        call('setgid', 0)
        CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
        call('unshare', CLONE_NEWUSER)
        call('unshare', CLONE_NEWNS)
        call('mount', b'none', b'/work', b'tmpfs', 0, None)
        call('mount', b'/', b'/work', None, 4096, None)  # MS_BIND of the sandbox root
        call('chroot', b'/tmp')
        print('uid', os.getuid(), os.geteuid())
        for p in ('/etc/shadow', '/root/.bashrc'):
            try:
                open(p).read()
                print('LEAKED', p)
            except OSError as e:
                print('blocked', p, type(e).__name__)
    """)
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    for name in ("setuid", "setgid", "unshare", "mount", "chroot"):
        assert not lines[name].startswith("0 "), (name, r.stdout)
    assert f"uid {SANDBOX_UID} {SANDBOX_UID}" in r.stdout
    assert "LEAKED" not in r.stdout
    still_works(tmp_path)
