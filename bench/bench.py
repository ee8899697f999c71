#!/usr/bin/env python3
"""Benchmark of images-maven-plugin's `pull` goal against a local Distribution registry.

Starts /usr/bin/docker-registry on a free port of 127.0.0.1 (own temp storage and config), pushes
generated images through the registry HTTP API, then measures wall time and peak RSS (medians of N runs)
of the plugin (cold, warm, no-op), of skopeo and of a plain curl floor, and prints one markdown table.

Python 3 standard library only. Run from anywhere:  bench/bench.py [--quick] [--runs N]
See bench/README.md.
"""

import argparse
import concurrent.futures
import datetime
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(BENCH_DIR)
WORK_DIR = os.path.join(BENCH_DIR, ".work")          # cached generated images (gitignored)
MVNW = os.path.join(PROJECT_DIR, "mvnw")
REGISTRY_BIN = "/usr/bin/docker-registry"
GNU_TIME = "/usr/bin/time"
LOOPBACK = "127.0.0.1"

MIB = 1024 * 1024
GENERATOR_VERSION = 1          # bump when the generated images change shape; old caches are then ignored

# name -> (layer count, bytes of random payload per layer)
IMAGES = {
    "big": (8, 128 * MIB),      # 1 GiB, incompressible
    "tiny60": (60, 512),        # round-trip bound
    "small": (1, 4 * MIB),      # the --quick image
}
TAG = "1"

REGISTRY_START_TIMEOUT = 20     # s
REGISTRY_STOP_TIMEOUT = 10
HTTP_TIMEOUT = 120              # s per socket operation
BUILD_TIMEOUT = 1200
KILL_GRACE = 10

_children = {}                  # pgid -> description, for cleanup on any exit
_children_lock = threading.Lock()
BUILD_NOTES = []                # shown in the header


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------------------------- processes

def _kill_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Measured:
    def __init__(self, rc, wall, rss_kib, timed_out, cpu=None):
        self.rc, self.wall, self.rss_kib, self.timed_out, self.cpu = rc, wall, rss_kib, timed_out, cpu

    @property
    def ok(self):
        return self.rc == 0 and not self.timed_out


def run_measured(cmd, cwd, log_path, timeout, env=None):
    """Runs cmd in its own process group; returns wall time (s, monotonic), peak RSS (KiB) and CPU time.

    Peak RSS comes from GNU time's %M when /usr/bin/time exists, else from wait4()'s ru_maxrss (the same
    kernel figure: the largest single process of the tree, not a sum). CPU time is user + system of the
    whole tree (wait4() counts every descendant that was waited for). On timeout the group is killed.
    """
    rss_file = log_path + ".rss"
    use_time = os.access(GNU_TIME, os.X_OK)
    full = ([GNU_TIME, "-f", "%M", "-o", rss_file] if use_time else []) + list(cmd)
    with open(log_path, "ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        start = time.monotonic()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    with _children_lock:
        _children[proc.pid] = cmd[0]
    result = {}
    done = threading.Event()

    def reap():
        try:
            _, status, rusage = os.wait4(proc.pid, 0)
            result["end"] = time.monotonic()
            result["status"] = status
            result["rusage"] = rusage
        finally:
            done.set()

    threading.Thread(target=reap, daemon=True).start()
    timed_out = False
    try:
        if not done.wait(timeout):
            timed_out = True
            log(f"timeout after {timeout} s: stopping process group {proc.pid} ({cmd[0]})")
            _kill_group(proc.pid, signal.SIGTERM)
            if not done.wait(KILL_GRACE):
                _kill_group(proc.pid, signal.SIGKILL)
                done.wait(KILL_GRACE)
    except BaseException:
        _kill_group(proc.pid, signal.SIGTERM)
        if not done.wait(KILL_GRACE):
            _kill_group(proc.pid, signal.SIGKILL)
        raise
    finally:
        # the leader is reaped; make sure nothing of its group lingers (e.g. a forked JVM)
        _kill_group(proc.pid, signal.SIGKILL)
        with _children_lock:
            _children.pop(proc.pid, None)
    status = result.get("status")
    rc = os.waitstatus_to_exitcode(status) if status is not None else -1
    proc.returncode = rc                     # reaped by wait4 above; keep Popen from waiting again
    wall = result.get("end", time.monotonic()) - start
    rss = None
    if use_time:
        try:
            with open(rss_file) as f:
                lines = [l.strip() for l in f if l.strip()]
            rss = int(lines[-1])
        except (OSError, ValueError, IndexError):
            rss = None
        try:
            os.remove(rss_file)
        except OSError:
            pass
    if rss is None and "rusage" in result:
        rss = result["rusage"].ru_maxrss     # KiB on Linux
    usage = result.get("rusage")
    cpu = usage.ru_utime + usage.ru_stime if usage is not None else None
    return Measured(rc, wall, rss, timed_out, cpu)


def capture(cmd, timeout=30, cwd=None):
    try:
        r = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return r.stdout.decode(errors="replace").strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------- registry

class Registry:
    """A Distribution registry on a free port of 127.0.0.1, configured like the tests' RegistryServer."""

    LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")
    ACCESS = re.compile(r'"(?:GET|HEAD|POST|PUT|PATCH|DELETE) /v2/')

    def __init__(self, directory):
        self.directory = directory
        self.storage = os.path.join(directory, "storage")
        self.log_path = os.path.join(directory, "registry.log")
        self.proc = None
        self.port = None

    def start(self):
        if not os.access(REGISTRY_BIN, os.X_OK):
            raise BenchError(f"{REGISTRY_BIN} is missing: apt-get install -y docker-registry")
        os.makedirs(self.storage)
        config = os.path.join(self.directory, "config.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\n"
                    "log:\n  level: info\n  formatter: text\n"
                    f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n"
                    f"http:\n  addr: {LOOPBACK}:0\n  secret: images-maven-plugin-bench\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen([REGISTRY_BIN, "serve", config], cwd=self.directory, env=env,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + REGISTRY_START_TIMEOUT
        while self.port is None:
            m = self.LISTENING.search(self._read_log())
            if m:
                self.port = int(m.group(1))
                break
            self._check_starting(deadline, "no 'listening on 127.0.0.1:PORT' line")
            time.sleep(0.05)
        while True:
            try:
                status, _, _ = self.request("GET", "/v2/", timeout=2)
                if status == 200:
                    break
                problem = f"HTTP {status}"
            except OSError as e:
                problem = str(e)
            self._check_starting(deadline, f"GET /v2/: {problem}")
            time.sleep(0.1)
        log(f"registry pid {self.proc.pid} on {self.address} (storage {self.storage})")

    def _check_starting(self, deadline, reason):
        if self.proc.poll() is not None:
            raise BenchError(f"the registry exited with code {self.proc.returncode}\n{tail(self.log_path)}")
        if time.monotonic() > deadline:
            raise BenchError(f"the registry was not ready within {REGISTRY_START_TIMEOUT} s ({reason})\n"
                             f"{tail(self.log_path)}")

    def _read_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()                          # by pid
        try:
            self.proc.wait(REGISTRY_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(REGISTRY_STOP_TIMEOUT)

    @property
    def address(self):
        return f"{LOOPBACK}:{self.port}"

    def cpu_seconds(self):
        """User + system CPU the registry has used so far (Linux /proc), or None where that cannot be read."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return None

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def requests_since(self, offset):
        """Access-log lines (one per HTTP request under /v2/) written after byte offset."""
        time.sleep(0.2)                                # let the last access-log lines reach the file
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        return sum(1 for line in text.splitlines() if self.ACCESS.search(line))

    def request(self, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT):
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout, blocksize=MIB)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.headers, data
        finally:
            conn.close()

    def push_blob(self, repo, digest, path, size):
        status, _, _ = self.request("HEAD", f"/v2/{repo}/blobs/{digest}")
        if status == 200:
            return
        status, headers, data = self.request("POST", f"/v2/{repo}/blobs/uploads/", body=b"",
                                             headers={"Content-Length": "0"})
        if status != 202 or not headers.get("Location"):
            raise BenchError(f"POST upload for {repo}: HTTP {status} {data[:300]!r}")
        location = urllib.parse.urlsplit(headers["Location"])
        if location.hostname not in (None, "", LOOPBACK):
            raise BenchError(f"the registry sent an upload location off loopback: {headers['Location']}")
        query = (location.query + "&" if location.query else "") + "digest=" + urllib.parse.quote(digest)
        with open(path, "rb") as f:
            status, _, data = self.request("PUT", f"{location.path}?{query}", body=f,
                                           headers={"Content-Length": str(size),
                                                    "Content-Type": "application/octet-stream"})
        if status != 201:
            raise BenchError(f"PUT blob {digest} to {repo}: HTTP {status} {data[:300]!r}")

    def push_manifest(self, repo, tag, media_type, manifest_bytes):
        status, _, data = self.request("PUT", f"/v2/{repo}/manifests/{tag}", body=manifest_bytes,
                                       headers={"Content-Type": media_type,
                                                "Content-Length": str(len(manifest_bytes))})
        if status != 201:
            raise BenchError(f"PUT manifest {repo}:{tag}: HTTP {status} {data[:300]!r}")


# --------------------------------------------------------------------------------------------- images

class _LayerSink(io.RawIOBase):
    """Receives the tar stream: hashes it (diff_id), gzips it (level 1) to a file and hashes that (digest)."""

    def __init__(self, out):
        self.out = out
        self.diff = hashlib.sha256()
        self.blob = hashlib.sha256()
        self.size = 0
        self.gz = zlib.compressobj(1, zlib.DEFLATED, 31)

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self.diff.update(data)
        self._emit(self.gz.compress(data))
        return len(data)

    def _emit(self, chunk):
        if chunk:
            self.blob.update(chunk)
            self.size += len(chunk)
            self.out.write(chunk)

    def finish(self):
        self._emit(self.gz.flush())


class _RandomReader:
    def __init__(self, size):
        self.left = size

    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def _make_layer(directory, image, index, payload):
    tmp = os.path.join(directory, f"layer-{index}.tmp")
    with open(tmp, "wb", buffering=MIB) as out:
        sink = _LayerSink(out)
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT, bufsize=MIB) as tar:
            info = tarfile.TarInfo(f"bench/{image}-layer-{index:03d}.bin")
            info.size, info.mode, info.mtime, info.uid, info.gid = payload, 0o644, 1700000000, 0, 0
            tar.addfile(info, _RandomReader(payload))
        sink.finish()
    digest = "sha256:" + sink.blob.hexdigest()
    os.rename(tmp, os.path.join(directory, digest.replace(":", "-")))
    return {"digest": digest, "size": sink.size, "diff_id": "sha256:" + sink.diff.hexdigest()}


def ensure_image(name):
    """Generates the image once into bench/.work/images/NAME-vN/; later runs reuse it."""
    layers, payload = IMAGES[name]
    final = os.path.join(WORK_DIR, "images", f"{name}-v{GENERATOR_VERSION}")
    meta_path = os.path.join(final, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        paths = [(os.path.join(final, b["digest"].replace(":", "-")), b["size"])
                 for b in meta["layers"] + [meta["config"]]]
        if all(os.path.isfile(path) and os.path.getsize(path) == size for path, size in paths):
            meta["dir"] = final
            return meta
        log(f"cached image {final} is incomplete; generating it again")
        shutil.rmtree(final, ignore_errors=True)
    os.makedirs(os.path.join(WORK_DIR, "images"), exist_ok=True)
    partial = tempfile.mkdtemp(prefix=f".{name}-partial-", dir=os.path.join(WORK_DIR, "images"))
    try:
        log(f"generating image {name}: {layers} layer(s) of {payload} random bytes (cached in {final})")
        t0 = time.monotonic()
        workers = max(1, min(layers, os.cpu_count() or 1))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            layer_meta = list(pool.map(lambda i: _make_layer(partial, name, i, payload), range(layers)))
        config = {
            "architecture": "amd64",
            "os": "linux",
            "created": "2023-11-14T22:13:20Z",
            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [l["diff_id"] for l in layer_meta]},
            "history": [{"created": "2023-11-14T22:13:20Z", "created_by": f"bench {name} layer {i}"}
                        for i in range(layers)],
        }
        config_bytes = json.dumps(config, separators=(",", ":")).encode()
        config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        with open(os.path.join(partial, config_digest.replace(":", "-")), "wb") as f:
            f.write(config_bytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                       "size": len(config_bytes), "digest": config_digest},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                        "size": l["size"], "digest": l["digest"]} for l in layer_meta],
        }
        meta = {
            "name": name,
            "manifest": json.dumps(manifest, indent=3),
            "manifestMediaType": manifest["mediaType"],
            "config": {"digest": config_digest, "size": len(config_bytes)},
            "layers": layer_meta,
        }
        with open(os.path.join(partial, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
        try:
            os.rename(partial, final)
        except OSError:                  # another bench run finished it first
            shutil.rmtree(partial, ignore_errors=True)
        log(f"generated {name} in {time.monotonic() - t0:.1f} s")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ensure_image(name)


def push_image(registry, meta):
    repo = f"bench/{meta['name']}"
    t0 = time.monotonic()
    blobs = meta["layers"] + [meta["config"]]
    for b in blobs:
        registry.push_blob(repo, b["digest"], os.path.join(meta["dir"], b["digest"].replace(":", "-")), b["size"])
    registry.push_manifest(repo, TAG, meta["manifestMediaType"], meta["manifest"].encode())
    total = sum(b["size"] for b in blobs)
    log(f"pushed {repo}:{TAG} ({len(blobs)} blobs, {total / MIB:.1f} MiB) in {time.monotonic() - t0:.1f} s")


# --------------------------------------------------------------------------------------------- plugin

def plugin_coordinates():
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(os.path.join(PROJECT_DIR, "pom.xml")).getroot()
    g, a, v = (root.find(f"m:{k}", ns) for k in ("groupId", "artifactId", "version"))
    return g.text.strip(), a.text.strip(), v.text.strip()


def local_repository():
    return os.environ.get("BENCH_MAVEN_REPO") or os.path.join(os.path.expanduser("~"), ".m2", "repository")


def ensure_plugin(mode, coords):
    g, a, v = coords
    jar = os.path.join(local_repository(), *g.split("."), a, v, f"{a}-{v}.jar")
    newest_source = 0.0
    for top in ("pom.xml", "src/main"):
        path = os.path.join(PROJECT_DIR, top)
        if os.path.isfile(path):
            newest_source = max(newest_source, os.path.getmtime(path))
        for dirpath, _, files in os.walk(path):
            for f in files:
                newest_source = max(newest_source, os.path.getmtime(os.path.join(dirpath, f)))
    have = os.path.exists(jar)
    stale = have and os.path.getmtime(jar) < newest_source
    if mode == "never" or (mode == "auto" and have and not stale):
        if not have:
            raise BenchError(f"{jar} is missing and --build=never was given")
        log(f"using the installed plugin {jar}" + (" (older than the sources!)" if stale else ""))
        if stale:
            BUILD_NOTES.append("the installed jar is older than the sources (--build=never)")
        return jar
    why = "forced" if mode == "always" else ("sources changed" if stale else "not installed")
    # -Dmaven.test.skip=true rather than -DskipTests: the benchmark needs no test classes, and a test that
    # does not compile (mid-edit) must not stop it; -DskipITs and -Dinvoker.skip=true keep the IT registry
    # fixture and the invoker ITs out of `install`.
    cmd = [MVNW, "-q", "-B", "-ntp", "install", "-Dmaven.test.skip=true", "-DskipITs", "-Dinvoker.skip=true"]
    log(f"building and installing the plugin ({why}): ./mvnw {' '.join(cmd[1:])}")
    build_log = os.path.join(WORK_DIR, "build.log")
    os.makedirs(WORK_DIR, exist_ok=True)
    if os.path.exists(build_log):
        os.remove(build_log)
    r = run_measured(cmd, PROJECT_DIR, build_log, BUILD_TIMEOUT)
    if not r.ok:
        message = f"the plugin build failed (exit {r.rc}); last lines of {build_log}:\n{tail(build_log)}"
        if mode == "always" or not have:
            raise BenchError(message)
        log(message)
        log(f"WARNING: benchmarking the previously installed {jar} instead")
        BUILD_NOTES.append("the build of the current sources FAILED; this is the previously installed jar")
        return jar
    log(f"built in {r.wall:.0f} s")
    return jar


# --------------------------------------------------------------------------------------------- measurements

SUMMARY = re.compile(r"^\[INFO\] (\d+) images?: (.*?) downloaded, (.*?) reused from the cache, in ([0-9.]+) s\s*$",
                     re.M)
# the closing line when every image is pinned by digest and the output is untouched: nothing was resolved
PUSHED = re.compile(r"^\[INFO\] pushed (\d+) images?, (.*?) sent, in ([0-9.]+) s\s*$", re.M)
UP_TO_DATE = re.compile(r"^\[INFO\] (\d+) pinned images? already in .*; nothing to do, in ([0-9.]+) s\s*$", re.M)


class Row:
    def __init__(self, key, what, image):
        self.key, self.what, self.image = key, what, image
        self.walls, self.goals, self.rss, self.requests, self.cpus = [], [], [], [], []
        self.registry_cpus = []
        self.failures = []
        self.downloaded = self.reused = None
        self.note = ""

    def add(self, m):
        """Keeps the figures of one successful run."""
        self.walls.append(m.wall)
        if m.cpu is not None:
            self.cpus.append(m.cpu)
        if m.rss_kib is not None:
            self.rss.append(m.rss_kib)

    def med(self, values):
        return statistics.median(values) if values else None

    @property
    def wall(self):
        return self.med(self.walls)

    @property
    def goal(self):
        return self.med(self.goals)


class Bench:
    def __init__(self, args, root, coords):
        self.args = args
        self.root = root
        self.coords = coords
        self.registry = None
        self.metas = {}
        self.serial = 0
        self.timeout = args.timeout
        self.rows = {}
        self.sha256_rate = self.layer_bytes = None

    def tmp(self, prefix):
        self.serial += 1
        path = os.path.join(self.root, f"{self.serial:03d}-{prefix}")
        os.makedirs(path)
        return path

    def ref(self, image):
        if image.endswith("@pinned"):
            name = image[: -len("@pinned")]
            digest = hashlib.sha256(ensure_image(name)["manifest"].encode()).hexdigest()
            return f"{self.registry.address}/bench/{name}:{TAG}@sha256:{digest}"
        return f"{self.registry.address}/bench/{image}:{TAG}"

    def row(self, key, what, image):
        r = self.rows.get(key)
        if r is None:
            r = self.rows[key] = Row(key, what, image)
        return r

    # ---- plugin

    def plugin(self, row, image, cache, out, output_format="docker", maven_opts=None, extra=()):
        g, a, v = self.coords
        workdir = self.tmp("mvn-cwd")
        log_path = os.path.join(self.root, f"{self.serial:03d}-{row.key}.log")
        env = dict(os.environ)
        if maven_opts is not None:
            env["MAVEN_OPTS"] = maven_opts
        # not -o: the goal honours offline mode; -nsu keeps Maven from looking for a newer plugin snapshot
        cmd = [MVNW, "-B", "-ntp", "-nsu", f"{g}:{a}:{v}:pull",
               f"-Dimages={self.ref(image)}",
               f"-Dimages.cacheDirectory={cache}",
               f"-Dimages.outputDirectory={out}",
               f"-Dimages.format={output_format}", *extra]
        before = self.registry.log_size()
        m = run_measured(cmd, workdir, log_path, self.timeout, env=env)
        requests = self.registry.requests_since(before)
        shutil.rmtree(workdir, ignore_errors=True)
        with open(log_path, errors="replace") as f:
            text = f.read()
        summary = SUMMARY.findall(text) or [(n, "0 B", "all", t) for n, t in UP_TO_DATE.findall(text)]
        if not m.ok or ("skip" not in row.key and not summary):
            why = "timed out" if m.timed_out else f"exit {m.rc}" if m.rc else "no closing summary line"
            row.failures.append(why)
            log(f"  {row.key}: FAILED ({why}); last lines of {log_path}:\n{tail(log_path, 25)}")
            return m
        row.add(m)
        row.requests.append(requests)
        goal = None
        if summary:
            _, row.downloaded, row.reused, goal_s = summary[-1]
            goal = float(goal_s)
            row.goals.append(goal)
        log(f"  {row.key}: wall {m.wall:.2f} s, goal {goal if goal is not None else '-'} s, "
            f"peak RSS {m.rss_kib / 1024 if m.rss_kib else 0:.0f} MiB, {requests} requests"
            + (f", downloaded {row.downloaded}, reused {row.reused}" if summary else ""))
        os.remove(log_path)
        return m

    def push(self, row, layout, target):
        """images:push of an OCI layout to the registry `target`; the goal time and bytes sent from its closing line."""
        g, a, v = self.coords
        workdir = self.tmp("mvn-cwd")
        log_path = os.path.join(self.root, f"{self.serial:03d}-{row.key}.log")
        cmd = [MVNW, "-B", "-ntp", "-nsu", f"{g}:{a}:{v}:push", f"-Dimages.outputDirectory={layout}",
               f"-Dimages.push.target={target.address}"]
        m = run_measured(cmd, workdir, log_path, self.timeout)
        shutil.rmtree(workdir, ignore_errors=True)
        with open(log_path, errors="replace") as f:
            pushed = PUSHED.findall(f.read())
        if not m.ok or not pushed:
            why = "timed out" if m.timed_out else f"exit {m.rc}" if m.rc else "no closing 'pushed' line"
            row.failures.append(why)
            log(f"  {row.key}: FAILED ({why}); last lines of {log_path}:\n{tail(log_path, 25)}")
            return m
        row.add(m)
        _, row.downloaded, goal_s = pushed[-1]
        row.goals.append(float(goal_s))
        log(f"  {row.key}: wall {m.wall:.2f} s, goal {goal_s} s, {row.downloaded} sent")
        os.remove(log_path)
        return m

    def push_rows(self, image, n):
        """images:push of the image's OCI layout to an empty registry, again unchanged, and skopeo doing the first."""
        log(f"plugin push and skopeo push x{n}")
        cache, layout = self.tmp("cache"), os.path.join(self.root, "push-source")
        self.plugin(self.row("prime-push", "prime", image), image, cache, layout, output_format="oci")
        shutil.rmtree(cache, ignore_errors=True)
        cold = self.row("push-cold", f"plugin push to an empty registry ({image}, oci layout)", image)
        again = self.row("push-again", f"plugin push again, nothing changed ({image})", image)
        skopeo_push = self.row("skopeo-push", f"skopeo copy oci: to docker:// of an empty registry ({image})", image)
        skopeo = shutil.which("skopeo")
        # skopeo reads OCI manifests only from an OCI layout: it makes its own from the source registry, same layers
        skopeo_layout = os.path.join(self.root, "skopeo-push-source")
        if skopeo and subprocess.run([skopeo, "copy", "--src-tls-verify=false", f"docker://{self.ref(image)}",
                                      f"oci:{skopeo_layout}:{TAG}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     timeout=self.timeout).returncode != 0:
            skopeo = None
            skopeo_push.note = "skopeo could not make its OCI layout of the source"
        for _ in range(n):
            target = Registry(self.tmp("push-registry"))
            target.start()
            try:
                self.push(cold, layout, target)
                self.push(again, layout, target)
            finally:
                target.stop()
                shutil.rmtree(target.directory, ignore_errors=True)
            if not skopeo:
                skopeo_push.note = "skopeo not installed (apt-get install -y skopeo)"
                continue
            target = Registry(self.tmp("push-registry"))
            target.start()
            try:
                d = self.tmp("skopeo-push")
                self.external(skopeo_push, [skopeo, "copy", "--dest-tls-verify=false", f"oci:{skopeo_layout}:{TAG}",
                                            f"docker://{target.address}/bench/{image}:{TAG}"], d)
            finally:
                target.stop()
                shutil.rmtree(target.directory, ignore_errors=True)
        shutil.rmtree(layout, ignore_errors=True)
        shutil.rmtree(skopeo_layout, ignore_errors=True)

    def external(self, row, cmd, cwd, check=None, env=None):
        log_path = os.path.join(self.root, f"{self.serial:03d}-{row.key}.log")
        registry_before = self.registry.cpu_seconds()
        m = run_measured(cmd, cwd, log_path, self.timeout, env=env)
        registry_after = self.registry.cpu_seconds()
        problem = None if m.ok else ("timed out" if m.timed_out else f"exit {m.rc}")
        if problem is None and check is not None:
            problem = check()
        if problem:
            row.failures.append(problem)
            log(f"  {row.key}: FAILED ({problem}); last lines of {log_path}:\n{tail(log_path, 25)}")
            return m
        row.add(m)
        if registry_before is not None and registry_after is not None:
            row.registry_cpus.append(registry_after - registry_before)
        log(f"  {row.key}: wall {m.wall:.2f} s, peak RSS {m.rss_kib / 1024 if m.rss_kib else 0:.0f} MiB")
        os.remove(log_path)
        return m

    # ---- scenarios

    def run(self):
        args = self.args
        main = "small" if args.quick else "big"
        n = args.runs
        label = f"{main}, {self.size_label(main)}"

        log(f"plugin cold, docker format x{n}")
        cold = self.row("cold-docker", f"plugin cold, docker format ({label})", main)
        warm_cache = None
        for i in range(n):
            cache, out = self.tmp("cache"), os.path.join(self.root, f"{self.serial:03d}-out")
            m = self.plugin(cold, main, cache, out)
            shutil.rmtree(out, ignore_errors=True)
            if m.ok and i == n - 1:
                warm_cache = cache                      # the last cold run's cache feeds the warm runs
            else:
                shutil.rmtree(cache, ignore_errors=True)

        log(f"plugin cold, oci format x{n}")
        cold_oci = self.row("cold-oci", f"plugin cold, oci format ({main})", main)
        for _ in range(n):
            cache, out = self.tmp("cache"), os.path.join(self.root, f"{self.serial:03d}-out")
            self.plugin(cold_oci, main, cache, out, output_format="oci")
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

        warm = self.row("warm", f"plugin warm: cache full, output deleted ({main})", main)
        noop = self.row("noop", f"plugin no-op: nothing changed, output present ({main})", main)
        if warm_cache is None:
            log("plugin warm/no-op: priming a cache (the cold runs failed)")
            warm_cache = self.tmp("cache")
            self.plugin(self.row("prime", "prime", main), main, warm_cache, os.path.join(self.root, "prime-out"))
            shutil.rmtree(os.path.join(self.root, "prime-out"), ignore_errors=True)
        log(f"plugin warm and no-op x{n}")
        out = os.path.join(self.root, "warm-out")
        for _ in range(n):
            shutil.rmtree(out, ignore_errors=True)
            self.plugin(warm, main, warm_cache, out)
            self.plugin(noop, main, warm_cache, out)
        shutil.rmtree(out, ignore_errors=True)
        pinned = self.row("noop-pinned", f"plugin no-op, digest-pinned reference ({main}@sha256)", main + "@pinned")
        self.plugin(self.row("prime-pinned", "prime", main + "@pinned"), main + "@pinned", warm_cache, out)
        for _ in range(n):
            self.plugin(pinned, main + "@pinned", warm_cache, out)
        shutil.rmtree(out, ignore_errors=True)

        log(f"plugin skipped (Maven and plugin start-up only) x{n}")
        skip = self.row("skip", "plugin with images.skip=true (Maven + plugin start-up only)", main)
        for _ in range(n):
            self.plugin(skip, main, warm_cache, out, extra=("-Dimages.skip=true",))
        shutil.rmtree(warm_cache, ignore_errors=True)

        self.skopeo(main, n)
        self.push_rows(main, n)
        self.curl_floor(main, n)
        self.hash_floor(main)

        log(f"plugin cold, tiny60 x{n}")
        tiny = self.row("tiny60", "plugin cold, tiny60 (60 tiny layers)", "tiny60")
        for _ in range(n):
            cache, out = self.tmp("cache"), os.path.join(self.root, f"{self.serial:03d}-out")
            self.plugin(tiny, "tiny60", cache, out)
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

        log("plugin cold, docker format, MAVEN_OPTS=-Xmx64m x1")
        small_heap = self.row("xmx64m", f"plugin cold, docker format, MAVEN_OPTS=-Xmx64m ({main}, 1 run)", main)
        cache, out = self.tmp("cache"), os.path.join(self.root, f"{self.serial:03d}-out")
        self.plugin(small_heap, main, cache, out, maven_opts="-Xmx64m")
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def skopeo(self, image, n):
        skopeo = shutil.which("skopeo")
        rows = [self.row("skopeo-oci", f"skopeo copy to oci: ({image})", image),
                self.row("skopeo-archive", f"skopeo copy to docker-archive: ({image})", image)]
        if not skopeo:
            for r in rows:
                r.note = "skopeo not installed (apt-get install -y skopeo)"
            return
        src = f"docker://{self.ref(image)}"
        log(f"skopeo copy x{n} (oci: and docker-archive:)")
        for _ in range(n):
            for r, kind in zip(rows, ("oci", "archive")):
                d = self.tmp("skopeo")
                tmpdir = os.path.join(d, "tmp")
                os.makedirs(tmpdir)
                env = dict(os.environ, TMPDIR=tmpdir)
                dest = (f"oci:{os.path.join(d, 'layout')}:{TAG}" if kind == "oci"
                        else f"docker-archive:{os.path.join(d, 'image.tar')}:bench/{image}:{TAG}")
                layers, payload = IMAGES[image]
                expected = layers * payload          # the uncompressed payload at least

                def check(kind=kind, d=d, expected=expected):
                    if kind == "oci":
                        ok = os.path.isfile(os.path.join(d, "layout", "index.json"))
                        return None if ok else "no index.json in the oci: layout"
                    tar = os.path.join(d, "image.tar")
                    # docker-archive: holds the layers uncompressed
                    ok = os.path.isfile(tar) and os.path.getsize(tar) >= expected
                    return None if ok else "the docker-archive: tarball is missing or too small"

                self.external(r, [skopeo, "copy", "--src-tls-verify=false", src, dest], d, check=check, env=env)
                shutil.rmtree(d, ignore_errors=True)

    def curl_floor(self, image, n):
        meta = self.metas[image]
        blobs = meta["layers"]
        row = self.row("curl", f"floor: 4 parallel curls writing the {len(blobs)} layer blob(s) to disk", image)
        curl = shutil.which("curl")
        if not curl:
            row.note = "curl not installed"
            return
        log(f"curl floor x{n}")
        for _ in range(n):
            d = self.tmp("curl")
            listing = os.path.join(d, "list")
            with open(listing, "w") as f:
                for b in blobs:
                    f.write(os.path.join(d, b["digest"].replace(":", "-")) + "\n")
                    f.write(f"http://{self.registry.address}/v2/bench/{image}/blobs/{b['digest']}\n")

            def check():
                for b in blobs:
                    p = os.path.join(d, b["digest"].replace(":", "-"))
                    if not os.path.exists(p) or os.path.getsize(p) != b["size"]:
                        return f"{p} missing or of the wrong size"
                return None

            self.external(row, ["xargs", "-a", listing, "-d", "\\n", "-P", "4", "-n", "2",
                                curl, "-sSfL", "--max-time", str(self.timeout), "-o"], d, check=check)
            shutil.rmtree(d, ignore_errors=True)

    def hash_floor(self, image):
        """SHA-256's best speed on this machine (openssl speed, blocks in cache): the least CPU hashing can cost."""
        openssl = shutil.which("openssl")
        if not openssl:
            return
        log("sha256 speed (openssl speed, 2 s)")
        out = capture([openssl, "speed", "-seconds", "2", "-bytes", str(256 * 1024), "-evp", "sha256"], timeout=60)
        m = re.search(r"^sha256\s+([0-9.]+)k\s*$", out or "", re.M)
        if m:
            meta = self.metas[image]
            self.layer_bytes = sum(b["size"] for b in meta["layers"])
            self.sha256_rate = float(m.group(1)) * 1000          # bytes per second
            log(f"  sha256: {self.sha256_rate / 1e9:.2f} GB/s on one core")

    def size_label(self, image):
        layers, payload = IMAGES[image]
        total = layers * payload
        size = f"{total / (1024 * MIB):.0f} GiB" if total >= 1024 * MIB else f"{total / MIB:.0f} MiB"
        return f"{size} in {layers} layer{'s' if layers > 1 else ''}"


# --------------------------------------------------------------------------------------------- report

def fmt(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


def machine_header(args, coords):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            cpu = m.group(1).strip() if m else ""
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"^MemTotal:\s*(\d+) kB", f.read(), re.M)
            mem = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else ""
    except OSError:
        pass
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    java_version = capture([java, "-version"]).splitlines()
    commit = capture(["git", "-C", PROJECT_DIR, "rev-parse", "--short", "HEAD"])
    dirty = capture(["git", "-C", PROJECT_DIR, "status", "--porcelain", "--untracked-files=no"])
    lines = [
        f"date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {len(os.sched_getaffinity(0))} CPUs (nproc){', ' + cpu if cpu else ''}; memory {mem}; "
        f"{os.uname().sysname} {os.uname().release} {os.uname().machine}",
        f"plugin: {':'.join(coords)} at commit {commit or '?'}{' + uncommitted changes' if dirty else ''}"
        f"{'; ' + '; '.join(BUILD_NOTES) if BUILD_NOTES else ''}; "
        f"{java_version[0] if java_version else 'java ?'}",
        f"peers: {capture([REGISTRY_BIN, '--version']) or 'docker-registry ?'}; "
        f"{capture(['skopeo', '--version']) or 'no skopeo'}; "
        f"{(capture(['curl', '--version']).splitlines() or ['no curl'])[0].split(' (')[0]}",
        f"load average (1 min) at the start: {os.getloadavg()[0]:.2f}, at the end: {{END_LOAD}} "
        "(other work on the machine skews the numbers)",
        f"mode: {'--quick' if args.quick else 'full'}, {args.runs} run(s) per row, medians"
        + (f"; inherited MAVEN_OPTS={os.environ['MAVEN_OPTS']}" if os.environ.get("MAVEN_OPTS") else ""),
    ]
    return lines


def report(bench, header):
    rows = bench.rows
    get = rows.get

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    ratios = {}
    cold, cold_oci = get("cold-docker"), get("cold-oci")
    sk_oci, sk_arch, curl = get("skopeo-oci"), get("skopeo-archive"), get("curl")
    ratios["cold-oci"] = [("wall ÷ skopeo oci:", ratio(cold_oci.wall, sk_oci.wall if sk_oci else None))]
    push_cold, sk_push = get("push-cold"), get("skopeo-push")
    if push_cold:
        ratios["push-cold"] = [("goal ÷ skopeo push wall (target < 1)", ratio(push_cold.goal, sk_push.wall if sk_push else None))]
    ratios["cold-docker"] = [("wall ÷ skopeo docker-archive:", ratio(cold.wall, sk_arch.wall if sk_arch else None)),
                             ("goal ÷ curl floor", ratio(cold.goal, curl.wall if curl else None))]

    out = []
    out.extend(header)
    out.append("")
    out.append("| what | median wall s | goal s | CPU s | peak RSS MiB | ratio |")
    out.append("|---|---:|---:|---:|---:|---|")
    order = ["cold-docker", "cold-oci", "warm", "noop", "noop-pinned", "skip", "skopeo-oci", "skopeo-archive", "curl",
             "push-cold", "push-again", "skopeo-push", "tiny60", "xmx64m"]
    targets = {"warm": 0.2, "noop-pinned": 0.05, "push-again": 0.5}
    any_failed = False
    for key in order:
        r = get(key)
        if r is None:
            continue
        rss = statistics.median(r.rss) / 1024 if r.rss else None
        what = r.what
        if key.startswith("push") and r.downloaded:
            what += f", {r.downloaded} sent"
        if key == "tiny60" and r.requests:
            what += f", {statistics.median(r.requests):.0f} HTTP requests"
        if key == "curl" and r.walls:
            what += " (RSS: largest single curl)"
        cells = []
        for label, value in ratios.get(key, []):
            cells.append(f"{label} = {value:.2f}" if value is not None else f"{label} = —")
        if key in targets:
            t = targets[key]
            if r.goal is None:
                cells.append(f"goal target < {t:g} s: —")
            else:
                cells.append(f"goal target < {t:g} s: {'met' if r.goal < t else 'MISSED'}")
        if key == "xmx64m":
            cells.append("succeeded" if r.walls else "FAILED")
        if r.failures and key != "xmx64m":
            cells.append(f"{len(r.failures)} of {len(r.failures) + len(r.walls)} runs FAILED "
                         f"({', '.join(sorted(set(r.failures)))})")
            any_failed = True
        elif r.failures:
            cells.append(f"({r.failures[0]})")
        if r.note:
            cells.append(r.note)
        goal_cell = fmt(r.goal, 3 if r.goal is not None and r.goal < 1 else 2)
        if key.startswith(("skopeo", "curl")) or key == "skip":
            goal_cell = "—"
        cpu = statistics.median(r.cpus) if r.cpus else None
        out.append(f"| {what} | {fmt(r.wall)} | {goal_cell} | {fmt(cpu)} | {fmt(rss, 0)} | {'; '.join(cells)} |")
    out.append("")
    out.append("- wall = the whole process (for mvn: JVM + Maven + goal); goal = the time on the goal's closing "
               "log line; CPU = user + system seconds of the whole process tree (the registry's not included); "
               "peak RSS = the largest single process of the tree (GNU time %M); ratio = median ÷ median.")
    skip = get("skip")
    if cold and cold.cpus and skip and skip.cpus:
        pull_cpu = statistics.median(cold.cpus) - statistics.median(skip.cpus)
        line = f"- CPU of the cold pull beyond Maven's start-up (cold docker − images.skip): {pull_cpu:.2f} s"
        if curl and curl.cpus:
            line += f"; the curl floor's: {statistics.median(curl.cpus):.2f} s (no hashing)"
        out.append(line + ".")
    out.extend(lower_bounds(bench, ratio))
    per_run = []
    for key in ("cold-docker", "cold-oci", "warm", "noop", "noop-pinned", "tiny60", "xmx64m"):
        r = get(key)
        if r and r.walls:
            per_run.append(f"{key} {statistics.median(r.requests):.0f} requests, {r.downloaded} downloaded, "
                           f"{r.reused} reused")
    if per_run:
        out.append("- per plugin run (registry access log; closing line): " + "; ".join(per_run) + ".")
    spread = [f"{key} {min(r.walls):.2f}–{max(r.walls):.2f}" for key, r in rows.items()
              if key in order and len(r.walls) > 1]
    if spread:
        out.append("- wall min–max s: " + "; ".join(spread) + ".")
    return "\n".join(out), any_failed


def lower_bounds(bench, ratio):
    """What no pull that hashes every byte can beat here, from the figures measured in this run.

    The curl floor's processes and the registry serving them use the CPUs for the transfer alone; a
    verifying pull needs that plus SHA-256 of the bytes at its best speed (openssl speed). Spread perfectly
    over every CPU, with nothing else to do (no start-up, no JIT, no requests before the layers), that is a
    lower bound of the goal's time; with the images.skip row (Maven and the plugin starting) it bounds the wall.
    """
    get = bench.rows.get
    curl, skip = get("curl"), get("skip")
    if not (curl and curl.cpus and curl.registry_cpus and bench.sha256_rate):
        return []
    cpus = os.cpu_count() or 1
    curl_cpu, registry_cpu = statistics.median(curl.cpus), statistics.median(curl.registry_cpus)
    sha_cpu = bench.layer_bytes / bench.sha256_rate
    goal_bound = (curl_cpu + registry_cpu + sha_cpu) / cpus
    lines = [f"- lower bound of a cold goal that hashes every byte, on {cpus} CPUs: (curls {curl_cpu:.2f} + registry "
             f"{registry_cpu:.2f} while serving them + SHA-256 of {bench.layer_bytes / MIB:.0f} MiB at "
             f"{bench.sha256_rate / 1e9:.2f} GB/s {sha_cpu:.2f}) CPU-s ÷ {cpus} = {goal_bound:.2f} s, "
             f"{ratio(goal_bound, curl.wall):.2f} × the curl floor (target ≤ 1.3)"]
    if skip and skip.wall:
        wall_bound = skip.wall + goal_bound
        parts = [f"- lower bound of the cold wall: images.skip {skip.wall:.2f} s + {goal_bound:.2f} s = {wall_bound:.2f} s"]
        for key, label, limit in (("skopeo-oci", "skopeo oci:", 1.0), ("skopeo-archive", "½ × skopeo docker-archive:", 0.5)):
            r = get(key)
            if r and r.wall:
                parts.append(f"{label} {r.wall * limit:.2f} s")
        lines.append("; ".join(parts))
    return lines


# --------------------------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="the small image, 1 run per row (a CI smoke test)")
    p.add_argument("--runs", type=int, default=None, help="runs per row, median reported (default 3; 1 with --quick)")
    p.add_argument("--build", choices=("auto", "always", "never"), default="auto",
                   help="build and install the plugin: when missing or older than the sources (auto), "
                        "always, or never")
    p.add_argument("--timeout", type=int, default=300, help="seconds allowed for each measured command")
    args = p.parse_args()
    if args.runs is None:
        args.runs = int(os.environ.get("BENCH_RUNS", "1" if args.quick else "3"))
    if not 1 <= args.runs <= 25:
        p.error("--runs must be between 1 and 25")

    def on_signal(signum, _frame):
        log(f"signal {signum}: stopping")
        raise SystemExit(128 + signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    if not os.access(GNU_TIME, os.X_OK):
        log(f"{GNU_TIME} is missing (Debian: apt-get install -y time); peak RSS falls back to wait4()'s ru_maxrss")

    coords = plugin_coordinates()
    root = tempfile.mkdtemp(prefix="images-bench-")
    registry = None
    started = time.monotonic()
    try:
        ensure_plugin(args.build, coords)
        images = ["small", "tiny60"] + ([] if args.quick else ["big"])
        metas = {name: ensure_image(name) for name in images}
        registry = Registry(os.path.join(root, "registry"))
        os.makedirs(registry.directory)
        registry.start()
        for name in images:
            push_image(registry, metas[name])
        bench = Bench(args, root, coords)
        bench.registry = registry
        bench.metas = metas
        header = machine_header(args, coords)
        bench.run()
        header = [h.replace("{END_LOAD}", f"{os.getloadavg()[0]:.2f}") for h in header]
        table, failed = report(bench, header)
        print(table, flush=True)
        os.makedirs(WORK_DIR, exist_ok=True)
        saved = os.path.join(WORK_DIR, "last-results-quick.md" if args.quick else "last-results.md")
        with open(saved, "w") as f:
            f.write(table + "\n")
        log(f"done in {time.monotonic() - started:.0f} s (table also in {saved})")
        return 1 if failed else 0
    except BenchError as e:
        log(f"error: {e}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        with _children_lock:
            pgids = list(_children)
        for pgid in pgids:
            _kill_group(pgid, signal.SIGKILL)
        if registry is not None:
            registry.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
