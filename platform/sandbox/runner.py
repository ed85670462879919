"""Run learner Python code in a bubblewrap sandbox, never in the calling process.

Pure Python, no Django imports: called from Django services and Celery tasks.
See docs/sandbox.md for what this guarantees and what it does not.

Layout of one run::

    [root only]  unshare --mount  sh -c 'mount --bind <unreachable src> <stage>...; exec "$@"'
    [root only]  setpriv --reuid 65534 --regid 65534 --clear-groups --no-new-privs
                 bwrap --unshare-all --disable-userns --uid 65534 ... python3 <entry>

rlimits are set in ``preexec_fn`` and inherited along the whole chain.  When the
caller is root, bwrap is started as the unprivileged host uid ``SANDBOX_UID`` so
RLIMIT_NPROC is actually enforced (root, and uid 0 mapped into a user namespace,
are exempt from it).  Paths that uid cannot traverse (e.g. a Python installed
under ``/root/.pyenv``) are bind-mounted to a world-traversable staging folder in
a private mount namespace first; the host mount table is not changed.
"""

from __future__ import annotations

import os
import resource
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BWRAP = "bwrap"
SANDBOX_UID = 65534  # "nobody": the host uid bwrap runs as when the caller is root
SANDBOX_GID = 65534
SANDBOX_HOME = "/work"
TMP_BYTES = 64 * 2**20  # size of the private /tmp tmpfs

# Read-only system paths the interpreter needs (symlinks are re-created as symlinks).
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/bin", "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime")

_PASSWD = "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nsandbox:x:{uid}:{gid}:sandbox:/work:/usr/sbin/nologin\n"
_GROUP = "root:x:0:\nsandbox:x:{gid}:\n"
_HOSTS = "127.0.0.1 localhost sandbox\n"


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 10  # RLIMIT_CPU
    wall_seconds: float = 15.0  # the whole sandbox is killed after this
    memory_bytes: int = 512 * 2**20  # RLIMIT_AS
    file_bytes: int = 16 * 2**20  # RLIMIT_FSIZE
    processes: int = 32  # RLIMIT_NPROC, per host uid (see module docstring)
    output_bytes: int = 64 * 1024  # stdout+stderr kept; the rest discarded
    open_files: int = 64  # RLIMIT_NOFILE


@dataclass
class Result:
    returncode: int | None
    stdout: str
    stderr: str
    limit: str | None  # None, "wall_time", "cpu_time", "memory", "file_size", "processes", "output"
    message: str
    duration_s: float
    truncated: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.limit is None


class SandboxUnavailable(RuntimeError):
    pass


# --------------------------------------------------------------------------- helpers


def _fmt_bytes(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _fmt_seconds(s: float) -> str:
    return f"{int(s)} s" if float(s).is_integer() else f"{s:g} s"


def _is_root() -> bool:
    return os.geteuid() == 0


def _drops_privileges() -> bool:
    return _is_root() and SANDBOX_UID != 0


def _traversable_by(path: Path, uid: int, gid: int) -> bool:
    """Can ``uid`` reach ``path`` (x permission on every ancestor directory)?"""
    path = Path(os.path.abspath(path))
    for parent in list(reversed(path.parents)) + [path]:
        try:
            st = os.stat(parent)
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            continue
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


VENV_IN_SANDBOX = "/opt/venv"


def _python_paths() -> tuple[list[tuple[Path, str]], str]:
    """(host path, sandbox path) binds for the interpreter, and the interpreter path inside.

    A virtualenv is bound at /opt/venv (the project's lives inside the repository, under
    the learner's /work mount point): only the venv is bound, never the repository.
    The base installation keeps its own path (the venv's python symlinks to it).
    """
    binds: list[tuple[Path, str]] = []
    base = Path(sys.base_prefix).resolve()
    real_exe_prefix = Path(os.path.realpath(sys.executable)).parent.parent
    for p in {base, real_exe_prefix}:
        if str(p) == "/usr" or str(p).startswith(("/usr/", "/lib")):
            continue  # covered by the system binds
        if str(p) == SANDBOX_HOME or str(p).startswith(SANDBOX_HOME + "/"):
            raise SandboxUnavailable(f"the Python installation {p} lies under {SANDBOX_HOME}; install it elsewhere")
        binds.append((p, str(p)))
    if Path(sys.prefix).resolve() != base:  # a virtualenv
        binds.append((Path(sys.prefix).resolve(), VENV_IN_SANDBOX))
        exe = f"{VENV_IN_SANDBOX}/bin/{os.path.basename(sys.executable)}"
    else:
        exe = os.path.realpath(sys.executable)
    return binds, exe


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    """lchown ``root`` and everything below, never following symlinks or hard links out."""
    os.lchown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            try:
                st = os.lstat(p)
                if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                    continue  # a hard link could point at a file that is not the learner's
                os.lchown(p, uid, gid)
            except OSError:
                pass


def _set_rlimits(limits: Limits) -> None:
    def setl(res: int, value: int, hard: int | None = None) -> None:
        resource.setrlimit(res, (value, value if hard is None else hard))

    setl(resource.RLIMIT_CPU, int(limits.cpu_seconds), int(limits.cpu_seconds) + 1)
    setl(resource.RLIMIT_AS, int(limits.memory_bytes))
    setl(resource.RLIMIT_FSIZE, int(limits.file_bytes))
    setl(resource.RLIMIT_NPROC, int(limits.processes))
    setl(resource.RLIMIT_NOFILE, int(limits.open_files))
    setl(resource.RLIMIT_CORE, 0)


# --------------------------------------------------------------------------- availability

_available_cache: str | None | bool = False


def sandbox_available() -> str | None:
    """None when bubblewrap works here, else a reason (English, for logs and tests)."""
    global _available_cache
    if _available_cache is not False:
        return _available_cache  # type: ignore[return-value]
    reason: str | None = None
    if shutil.which(BWRAP) is None:
        reason = "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    elif _drops_privileges() and shutil.which("setpriv") is None:
        reason = "setpriv is not installed (util-linux): needed to drop root before starting bwrap"
    else:
        with tempfile.TemporaryDirectory() as d:
            try:
                res = run_python(Path(d), "-c", limits=Limits(cpu_seconds=10, wall_seconds=30),
                                 _args=["import os; print(os.getuid())"])
            except Exception as exc:  # noqa: BLE001
                reason = f"bubblewrap failed to start: {exc}"
            else:
                if res.returncode != 0 or res.stdout.strip() != str(SANDBOX_UID):
                    reason = f"bubblewrap does not work here (exit {res.returncode}): {res.stderr.strip()[:500]}"
    _available_cache = reason
    return reason


# --------------------------------------------------------------------------- the run


def _build_command(
    code_dir: Path,
    entry: str,
    args: list[str],
    limits: Limits,
    readonly_binds: dict[Path, str],
    writable_dir: Path | None,
    env: dict[str, str],
    run_tmp: Path,
    *,
    uid: int = SANDBOX_UID,
    gid: int = SANDBOX_GID,
    devices: tuple[str, ...] = (),
) -> list[str]:
    drop = _drops_privileges()
    stage_root = run_tmp / "stage"
    stage_root.mkdir()
    staged: list[tuple[str, str]] = []

    def source(path: Path) -> str:
        """Path bwrap (running as the sandbox uid) can open for ``path``."""
        path = Path(os.path.abspath(path))
        if not drop or _traversable_by(path, uid, gid):
            return str(path)
        target = stage_root / str(len(staged))
        if path.is_dir():
            target.mkdir(mode=0o755)
        else:
            target.touch(mode=0o644)
        staged.append((str(path), str(target)))
        return str(target)

    # Generated /etc files: the host's passwd/group/hosts are never visible.
    etc = run_tmp / "etc"
    etc.mkdir()
    (etc / "passwd").write_text(_PASSWD.format(uid=uid, gid=gid))
    (etc / "group").write_text(_GROUP.format(gid=gid))
    (etc / "hosts").write_text(_HOSTS)
    for p in [run_tmp, stage_root, etc, *etc.iterdir()]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)

    b: list[str] = [
        BWRAP,
        "--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--new-session",
        "--uid", str(uid), "--gid", str(gid),
        "--hostname", "sandbox",
        "--cap-drop", "ALL",
    ]
    for p in SYSTEM_PATHS:
        if os.path.islink(p):
            b += ["--symlink", os.readlink(p), p]
        elif os.path.exists(p):
            b += ["--ro-bind", source(Path(p)), p]
    for f in ("passwd", "group", "hosts"):
        b += ["--ro-bind", str(etc / f), f"/etc/{f}"]
    py_binds, python = _python_paths()
    for host, inside in py_binds:
        b += ["--ro-bind", source(host), inside]
    b += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    for device in devices:  # e.g. a GPU's /dev/nvidia* nodes for a training sandbox
        b += ["--dev-bind", device, device]
    b += ["--bind", source(code_dir), SANDBOX_HOME]
    if writable_dir is not None:
        b += ["--bind", source(writable_dir), "/output"]
    for host, inside in readonly_binds.items():
        b += ["--ro-bind", source(Path(host)), inside]
    # The sandbox root is bwrap's tmpfs: make it read-only so only /work, /output and /tmp are writable.
    b += ["--remount-ro", "/", "--chdir", SANDBOX_HOME, "--clearenv"]
    for k, v in env.items():
        b += ["--setenv", k, v]
    b += ["--", python, "-B", entry, *args]

    chain: list[str] = []
    if staged:
        script = 'set -e; while [ "$1" != "--" ]; do mount --bind "$1" "$2"; shift 2; done; shift; exec "$@"'
        chain += ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh"]
        for src, dst in staged:
            chain += [src, dst]
        chain += ["--"]
    if drop:
        # --pdeathsig after the uid change (a credential change clears the one set before), so
        # the sandbox dies with whoever started it even as another user.
        chain += ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                  "--no-new-privs", "--pdeathsig", "KILL", "--"]
    return chain + b


def _base_env(extra: dict | None) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    for k, v in (extra or {}).items():
        env[str(k)] = str(v)
    return env


def _kill(proc: subprocess.Popen) -> None:
    """Kill the outermost process; --die-with-parent + the pid namespace take the rest."""
    # os.kill, not proc.kill(): Popen.send_signal() may reap the child and lose its rusage.
    for target in (lambda: os.killpg(proc.pid, signal.SIGKILL), lambda: os.kill(proc.pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _classify(rc: int | None, stderr: str, cpu_used: float, limits: Limits, wall_killed: bool,
              output_killed: bool) -> tuple[str | None, str]:
    fork_failed = ("BlockingIOError" in stderr or "Resource temporarily unavailable" in stderr
                   or "can't start new thread" in stderr)
    if output_killed:
        return "output", f"output truncated at {_fmt_bytes(limits.output_bytes)}"
    if rc is not None and rc != 0 and fork_failed:
        return "processes", f"process limit {limits.processes} exceeded"
    if wall_killed:
        if fork_failed:
            return "processes", f"process limit {limits.processes} exceeded"
        return "wall_time", f"time limit {_fmt_seconds(limits.wall_seconds)} exceeded (wall clock)"
    if rc in (128 + signal.SIGXCPU, -signal.SIGXCPU) or (
        rc in (128 + signal.SIGKILL, -signal.SIGKILL) and cpu_used >= limits.cpu_seconds - 0.5
    ):
        return "cpu_time", f"time limit {_fmt_seconds(limits.cpu_seconds)} exceeded (CPU time)"
    if rc in (128 + signal.SIGXFSZ, -signal.SIGXFSZ) or (rc != 0 and (
            "File too large" in stderr or "[Errno 27]" in stderr)):
        return "file_size", f"file size limit {_fmt_bytes(limits.file_bytes)} exceeded"
    if rc != 0 and ("MemoryError" in stderr or "Cannot allocate memory" in stderr
                    or "std::bad_alloc" in stderr or "out of memory" in stderr.lower()):
        return "memory", f"memory limit {_fmt_bytes(limits.memory_bytes)} exceeded"
    if rc is not None and rc > 128:
        return None, f"killed by signal {rc - 128}"
    if rc:
        return None, f"exited with status {rc}"
    return None, "ok"


def run_python(
    code_dir: Path,
    entry: str,
    *,
    limits: Limits = Limits(),
    readonly_binds: dict[Path, str] | None = None,
    writable_dir: Path | None = None,
    stdin: bytes = b"",
    env: dict | None = None,
    _args: list[str] | None = None,
) -> Result:
    """Run ``python3 <entry>`` (relative to ``code_dir``, seen as /work) inside bubblewrap."""
    code_dir = Path(code_dir).resolve()
    if not code_dir.is_dir():
        raise ValueError(f"code_dir {code_dir} is not a directory")
    binds = {Path(k).resolve(): str(v) for k, v in (readonly_binds or {}).items()}
    for inside in list(binds.values()) + [SANDBOX_HOME]:
        if not inside.startswith("/") or inside in ("/", "/proc", "/dev", "/etc", "/usr"):
            raise ValueError(f"bad sandbox path {inside!r}")

    drop = _drops_privileges()
    chowned: list[tuple[Path, int, int]] = []
    if drop:
        for d in [code_dir] + ([Path(writable_dir).resolve()] if writable_dir else []):
            st = os.stat(d)
            _chown_tree(d, SANDBOX_UID, SANDBOX_GID)
            chowned.append((d, st.st_uid, st.st_gid))

    run_tmp = Path(tempfile.mkdtemp(prefix="dlc-sandbox-"))
    start = time.monotonic()
    out = bytearray()
    err = bytearray()
    truncated = wall_killed = output_killed = False
    rc: int | None = None
    cpu_used = 0.0
    try:
        cmd = _build_command(code_dir, entry, list(_args or []), limits, binds,
                             Path(writable_dir).resolve() if writable_dir else None, _base_env(env), run_tmp)
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},  # no host secrets, even to bwrap
            cwd="/",
            start_new_session=True,
            close_fds=True,
            preexec_fn=lambda: _set_rlimits(limits),
        )
        try:
            if stdin:
                try:
                    proc.stdin.write(stdin)  # type: ignore[union-attr]
                except BrokenPipeError:
                    pass
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass

        deadline = start + limits.wall_seconds
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, out)  # type: ignore[arg-type]
        sel.register(proc.stderr, selectors.EVENT_READ, err)  # type: ignore[arg-type]
        open_streams = 2
        kill_grace: float | None = None
        while open_streams:
            now = time.monotonic()
            if kill_grace is None and now >= deadline:
                wall_killed = True
                _kill(proc)
                kill_grace = now + 5.0
            if kill_grace is not None and now >= kill_grace:
                break  # a stray holder of the pipe: give up reading
            timeout = max(0.0, (kill_grace or deadline) - now)
            for key, _ in sel.select(timeout=min(timeout, 0.5)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                room = limits.output_bytes - len(out) - len(err)
                if room > 0:
                    key.data.extend(chunk[:room])
                if len(chunk) > room:
                    truncated = True
                    if not output_killed:
                        output_killed = True
                        _kill(proc)
                        kill_grace = time.monotonic() + 5.0
        sel.close()
        remaining = max(0.1, deadline - time.monotonic()) if kill_grace is None else 5.0
        try:
            _, status, usage = _wait4(proc, remaining)
        except subprocess.TimeoutExpired:
            wall_killed = True
            _kill(proc)
            _, status, usage = _wait4(proc, 10.0)
        rc = os.waitstatus_to_exitcode(status) if status is not None else None
        proc.returncode = rc
        cpu_used = (usage.ru_utime + usage.ru_stime) if usage is not None else 0.0
        for s in (proc.stdout, proc.stderr):
            s.close()  # type: ignore[union-attr]
    finally:
        duration = time.monotonic() - start
        for d, uid, gid in chowned:
            _chown_tree(d, uid, gid)
        shutil.rmtree(run_tmp, ignore_errors=True)

    stderr = err.decode("utf-8", "replace")
    limit, message = _classify(rc, stderr, cpu_used, limits, wall_killed, output_killed)
    if truncated and limit != "output":
        message += f"; output truncated at {_fmt_bytes(limits.output_bytes)}"
    return Result(
        returncode=rc,
        stdout=out.decode("utf-8", "replace"),
        stderr=stderr,
        limit=limit,
        message=message,
        duration_s=round(duration, 3),
        truncated=truncated,
    )


@dataclass
class Prepared:
    """A sandboxed command for a caller that starts and supervises the process itself (the
    training child: it streams events on an inherited pipe for as long as it trains)."""

    argv: list[str]
    limits: Limits
    _chowned: list[tuple[Path, int, int]]
    _run_tmp: Path

    def preexec(self) -> None:
        """Call in the child before exec (Popen's preexec_fn): the rlimits."""
        _set_rlimits(self.limits)

    def cleanup(self) -> None:
        """After the process ended: give the folder back to its owner, drop the staging files."""
        for d, uid, gid in self._chowned:
            _chown_tree(d, uid, gid)
        shutil.rmtree(self._run_tmp, ignore_errors=True)


def sandbox_prepare(
    code_dir: Path,
    python_args: list[str],
    *,
    limits: Limits,
    readonly_binds: dict[Path, str] | None = None,
    env: dict | None = None,
    uid: int = SANDBOX_UID,
    devices: tuple[str, ...] = (),
) -> Prepared:
    """The command that runs ``python3 -B <python_args>`` in bubblewrap with ``code_dir`` as the
    writable /work, like run_python, without starting it. ``uid`` lets a kind of sandbox run as
    its own host user, so RLIMIT_NPROC (counted per user) of one kind cannot starve another."""
    code_dir = Path(code_dir).resolve()
    binds = {Path(k).resolve(): str(v) for k, v in (readonly_binds or {}).items()}
    for inside in binds.values():
        if not inside.startswith("/") or inside in ("/", "/proc", "/dev", "/etc", "/usr", SANDBOX_HOME):
            raise ValueError(f"bad sandbox path {inside!r}")
    chowned: list[tuple[Path, int, int]] = []
    if _drops_privileges():
        st = os.stat(code_dir)
        _chown_tree(code_dir, uid, uid)
        chowned.append((code_dir, st.st_uid, st.st_gid))
    run_tmp = Path(tempfile.mkdtemp(prefix="dlc-sandbox-"))
    try:
        argv = _build_command(code_dir, python_args[0], list(python_args[1:]), limits, binds, None, _base_env(env), run_tmp,
                              uid=uid, gid=uid, devices=tuple(devices))
    except BaseException:
        Prepared([], limits, chowned, run_tmp).cleanup()
        raise
    return Prepared(argv, limits, chowned, run_tmp)


def _wait4(proc: subprocess.Popen, timeout: float):
    """waitpid with a timeout, returning the rusage of the whole reaped tree (bwrap reaps its children)."""
    end = time.monotonic() + timeout
    while True:
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere (should not happen): no rusage then
            return proc.pid, None, None
        if pid == proc.pid:
            return pid, status, usage
        if time.monotonic() >= end:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        time.sleep(0.01)
