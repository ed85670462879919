"""The deploy files (Dockerfile, deploy/compose.yaml, deploy/nginx.conf, deploy/k8s/) agree with
the code and with each other. Fast and offline: no Docker daemon, no cluster, no network; the
checks that need ``docker compose`` or ``kubectl`` skip when the tool is missing."""

from __future__ import annotations

import functools
import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
COMPOSE_CPU = DEPLOY / "compose.cpu.yaml"
NGINX = DEPLOY / "nginx.conf"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS = ROOT / "platform" / "dlclassroom" / "settings.py"
SECRET_TEMPLATE = K8S / "secret.example.yaml"
KUBERNETES_VERSIONS = ("1.29", "1.32")

# Services of compose.yaml that do not run the platform's Python.
COMPOSE_THIRD_PARTY = {"postgres", "redis", "nginx"}
PYTHON_IMAGES = {"dlclassroom", "dlclassroom-gpu"}  # image names in deploy/k8s before kustomize
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "Job"}

ENV_READ = re.compile(r"""(?:os\.environ\.get\(|os\.getenv\(|os\.environ\[|_env_[a-z_]+\()\s*["']([A-Z][A-Z0-9_]*)["']""")
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")  # $${X} is left to the container


# --- loading ---------------------------------------------------------------------------------


class ComposeLoader(yaml.SafeLoader):
    """Safe loading plus Compose's merge tags (!reset, !override), which keep their value."""


def _tagged_value(loader, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


ComposeLoader.add_constructor("!reset", _tagged_value)
ComposeLoader.add_constructor("!override", _tagged_value)


@functools.cache
def load_compose(path: Path = COMPOSE) -> dict:
    return yaml.load(path.read_text(), Loader=ComposeLoader)


def k8s_resource_files() -> list[Path]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [K8S / name for name in kustomization["resources"]]


@functools.cache
def k8s_objects() -> list[dict]:
    """The objects `kubectl apply -k` creates (before kustomize's transformations). Cached:
    read only, never change them."""
    return [doc for path in k8s_resource_files() for doc in yaml.safe_load_all(path.read_text()) if doc]


def secret_template() -> dict:
    (doc,) = [d for d in yaml.safe_load_all(SECRET_TEMPLATE.read_text()) if d]
    return doc


def pod_spec(obj: dict) -> dict | None:
    if obj["kind"] in WORKLOAD_KINDS:
        return obj["spec"]["template"]["spec"]
    return None


def pod_labels(obj: dict) -> dict:
    return obj["spec"]["template"]["metadata"].get("labels", {})


def all_containers(spec: dict) -> list[dict]:
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def python_containers() -> list[tuple[dict, dict]]:
    """(object, container) for every container that runs the platform's image."""
    found = []
    for obj in k8s_objects():
        spec = pod_spec(obj)
        if spec is None:
            continue
        found += [(obj, c) for c in all_containers(spec) if c["image"] in PYTHON_IMAGES]
    return found


def by_kind_name(kind: str, name: str) -> dict:
    matches = [o for o in k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def configmap_data() -> dict[str, str]:
    return by_kind_name("ConfigMap", "dlc-config")["data"]


# --- what the code reads and the docs promise --------------------------------------------------


def settings_env_names() -> set[str]:
    return set(ENV_READ.findall(SETTINGS.read_text()))


def code_env_names() -> set[str]:
    names: set[str] = set()
    for folder in (ROOT / "platform", ROOT / "workers"):
        for path in folder.rglob("*.py"):
            names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def readme_env_names() -> set[str]:
    """Variables in the tables of deploy/README.md (rows that start with | `NAME` |)."""
    text = (DEPLOY / "README.md").read_text()
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", text, re.M))


def env_example() -> tuple[dict[str, str], str]:
    """(assignments, whole text) of deploy/env.example."""
    text = (DEPLOY / "env.example").read_text()
    values = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values, text


def import_limit_default() -> int:
    from django.conf import settings

    return int(settings.DATASET_IMPORT["MAX_UPLOAD_BYTES"])


def nginx_size(value: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value.strip())
    assert match, value
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]


# --- every file parses -----------------------------------------------------------------------


def test_every_yaml_file_under_deploy_parses():
    files = sorted(DEPLOY.rglob("*.yaml")) + sorted(DEPLOY.rglob("*.yml"))
    assert COMPOSE in files and K8S / "kustomization.yaml" in files
    for path in files:
        loader = ComposeLoader if path.name.startswith("compose") else yaml.SafeLoader
        docs = [d for d in yaml.load_all(path.read_text(), Loader=loader) if d is not None]
        assert docs, f"{path} holds no document"
        assert all(isinstance(d, dict) for d in docs), path


# --- Dockerfile --------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            rows.append((keyword.upper(), rest.strip()))
    return rows


def test_dockerfile_builds_the_image_the_contract_describes():
    rows = dockerfile_instructions()
    args = {rest.split("=", 1)[0]: rest.split("=", 1)[1] if "=" in rest else None for k, rest in rows if k == "ARG"}
    assert args["BASE_IMAGE"] == "python:3.11-slim-bookworm"
    assert ("FROM", "${BASE_IMAGE}") in rows
    assert args["TENSORFLOW_CUDA"] == "0", "the GPU variant is a build argument, off by default"
    runs = " ".join(rest for k, rest in rows if k == "RUN")
    for font in ("fonts-wqy-microhei", "fonts-arphic-ukai", "fonts-arphic-uming"):
        assert font in runs
    assert "pip install -r" in runs and "requirements.txt" in runs
    assert "tensorflow[and-cuda]" in runs
    env = " ".join(rest for k, rest in rows if k == "ENV")
    assert "PYTHONPATH=/app/platform:/app/workers" in env
    assert "DLC_DATA_ROOT=/data" in env
    users = [rest for k, rest in rows if k == "USER"]
    assert users, "the image must not run as root"
    final_user = users[-1].split(":")[0]
    assert final_user not in ("0", "root")
    if final_user.startswith("${"):
        final_user = args[final_user.strip("${}")]
    assert final_user.isdigit() and int(final_user) > 0, "a numeric user, so runAsNonRoot can check it"
    cmd = [rest for k, rest in rows if k == "CMD"][-1]
    assert cmd.startswith("[") and "daphne" in cmd and "dlclassroom.asgi:application" in cmd
    assert "--proxy-headers" in cmd
    assert [rest for k, rest in rows if k == "ENTRYPOINT"][-1] == '["/usr/bin/tini", "--"]'


def test_dockerignore_keeps_secrets_and_local_state_out_but_the_code_in():
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and not p.startswith("#")]
    for excluded in (".git", ".venv", "var", "deploy/.env"):
        assert excluded in patterns, excluded
    for needed in ("platform", "workers", "courses", "manage.py", "requirements.txt", "deploy", "deploy/container.sh"):
        assert needed not in patterns and needed + "/" not in patterns, needed


# --- commands refer to things that exist --------------------------------------------------------


def commands() -> list[list[str]]:
    """Every command line of the platform's processes: the Dockerfile's CMD, compose, k8s."""
    found = []
    cmd = [rest for k, rest in dockerfile_instructions() if k == "CMD"][-1]
    found.append(yaml.safe_load(cmd))
    for name, service in load_compose()["services"].items():
        if name not in COMPOSE_THIRD_PARTY:
            found.append(service["command"])
    for _obj, container in python_containers():
        found.append(container["args"])
    return found


def test_process_commands_refer_to_modules_and_commands_that_exist():
    from celery import Celery
    from django.core.management import get_commands

    seen = set()
    for command in commands():
        program = command[0]
        seen.add(program)
        if program == "daphne":
            module_name, attribute = command[-1].split(":")
            module = importlib.import_module(module_name)
            assert callable(getattr(module, attribute)), command
        elif program == "celery":
            assert command[1:3] == ["-A", "dlclassroom"], command
            app = importlib.import_module("dlclassroom.celery").app
            assert isinstance(app, Celery)
            assert command[3] in ("worker", "beat"), command
        elif program == "sh":
            script = ROOT / command[1]
            assert script.is_file(), command
            assert command[2] in ("init", "wait"), command
        else:
            pytest.fail(f"unexpected program in {command}")
    assert seen == {"daphne", "celery", "sh"}
    assert "bootstrap" in get_commands() and "migrate" in get_commands()


def test_container_script_is_valid_shell_and_runs_bootstrap():
    script = DEPLOY / "container.sh"
    text = script.read_text()
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    assert "manage.py bootstrap" in text and "migrate --check" in text
    assert "change-me" in text, "the set-up refuses the placeholders of env.example and secret.example.yaml"


def worker_queues(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(","))


def test_workers_consume_every_queue_tasks_are_routed_to():
    from django.conf import settings

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    compose_queues = set()
    for name, service in load_compose()["services"].items():
        if service.get("command", [None])[:4] == ["celery", "-A", "dlclassroom", "worker"]:
            compose_queues |= worker_queues(service["command"])
    k8s_queues = set()
    for _obj, container in python_containers():
        if container["args"][:4] == ["celery", "-A", "dlclassroom", "worker"]:
            k8s_queues |= worker_queues(container["args"])
    assert routed <= compose_queues, routed - compose_queues
    assert routed <= k8s_queues, routed - k8s_queues


# --- compose --------------------------------------------------------------------------------------


def python_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if name not in COMPOSE_THIRD_PARTY}


def test_compose_has_the_processes_of_the_contract():
    services = load_compose()["services"]
    assert set(services) == {"init", "web", "worker-training", "worker-light", "beat", "redis", "postgres", "nginx"}
    assert services["web"]["command"][:1] == ["daphne"]
    assert worker_queues(services["worker-training"]["command"]) == {"training-gpu", "training"}  # GPU runs, and runs that may use either device
    training = services["worker-training"]["command"]
    assert training[training.index("-c") + 1] == "1"
    assert worker_queues(services["worker-light"]["command"]) == {"light"}
    assert services["beat"]["command"][3] == "beat"
    assert "replicas" not in services["beat"].get("deploy", {}), "exactly one beat"


def test_compose_python_services_share_one_image_and_the_data_root():
    compose = load_compose()
    services = python_services(compose)
    images = {s["image"] for s in services.values()}
    assert len(images) == 1, images
    builders = [name for name, s in services.items() if "build" in s]
    assert builders == ["init"], "one service builds the image, the others reuse it"
    build = services["init"]["build"]
    assert (COMPOSE.parent / build["context"] / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE
    for name, service in services.items():
        assert "data:/data" in service["volumes"], name
        assert service["environment"]["DLC_DATA_ROOT"] == "/data", name
    assert "data:/data:ro" in compose["services"]["nginx"]["volumes"]
    assert "data" in compose["volumes"] and "postgres-data" in compose["volumes"]
    assert any(v.startswith("postgres-data:") for v in compose["services"]["postgres"]["volumes"])


def test_compose_training_worker_reserves_one_nvidia_gpu():
    service = load_compose()["services"]["worker-training"]
    devices = service["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    # The CPU override removes exactly that reservation.
    override = load_compose(COMPOSE_CPU)
    assert "deploy" in override["services"]["worker-training"]
    assert "!reset" in COMPOSE_CPU.read_text()


def test_compose_environment_is_documented_and_read_by_settings():
    documented = readme_env_names()
    read = settings_env_names()
    for name, service in python_services(load_compose()).items():
        names = set(service["environment"])
        assert names <= documented, f"{name}: not in deploy/README.md: {names - documented}"
        assert names <= read, f"{name}: settings.py does not read {names - read}"


def test_every_documented_variable_is_read_by_the_code_and_listed_in_env_example():
    documented = readme_env_names()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DLC_DATA_ROOT", "ALLOWED_HOSTS"} <= documented
    assert documented <= code_env_names(), documented - code_env_names()
    values, text = env_example()
    # The table of deploy/README.md (the first one) is in env.example, set or explained.
    table = (DEPLOY / "README.md").read_text().split("## Files here")[0]
    first_table = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", table, re.M))
    for name in first_table:
        assert name in values or re.search(rf"^#\s*{name}\b", text, re.M), f"{name} missing from env.example"


def test_compose_variables_all_come_from_env_example():
    values, _ = env_example()
    code = "\n".join(line for line in COMPOSE.read_text().splitlines() if not line.lstrip().startswith("#"))
    used = set(INTERPOLATION.findall(code))
    assert used, "compose.yaml interpolates its settings from deploy/.env"
    assert used <= set(values), f"not in env.example: {used - set(values)}"


def test_example_env_and_secret_hold_placeholders_only():
    values, _ = env_example()
    assert "change-me" in values["SECRET_KEY"] and "change-me" in values["POSTGRES_PASSWORD"]
    assert values["DEBUG"] == "0"
    secret = secret_template()
    for key in ("SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL"):
        assert "change-me" in secret["stringData"][key], key


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def test_compose_start_order_is_acyclic_and_runs_the_set_up_first():
    services = load_compose()["services"]
    graph = {name: depends_on(s) for name, s in services.items()}
    for deps in graph.values():
        assert set(deps) <= set(services)
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", f"depends_on cycle: {' -> '.join(path + [node])}"
        state[node] = "open"
        for dep in graph[node]:
            visit(dep, path + [node])
        state[node] = "done"

    for node in graph:
        visit(node, [])
    init = services["init"]
    assert init["restart"] == "no"
    assert init["command"] == ["sh", "deploy/container.sh", "init"]
    assert graph["init"] == {"postgres": "service_healthy", "redis": "service_healthy"}
    for name in ("web", "worker-training", "worker-light", "beat"):
        assert graph[name].get("init") == "service_completed_successfully", name
    assert graph["nginx"] == {"web": "service_healthy"}
    for name in ("web", "postgres", "redis"):
        assert "healthcheck" in services[name], name


def test_compose_web_health_check_asks_a_url_that_exists_with_an_allowed_host():
    from django.urls import resolve

    test = " ".join(load_compose()["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/[^'\"]*)", test).group(1)
    resolve(path)
    host = re.search(r"'Host': '([^']+)'", test).group(1)
    values, _ = env_example()
    assert host in values["ALLOWED_HOSTS"].split(",")


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on this machine")
def test_docker_compose_config_accepts_the_files(tmp_path):
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker CLI has no compose plugin ('docker compose version' fails)")
    env_file = tmp_path / "env"
    env_file.write_text((DEPLOY / "env.example").read_text())
    for files in (["-f", str(COMPOSE)], ["-f", str(COMPOSE), "-f", str(COMPOSE_CPU)]):
        done = subprocess.run(["docker", "compose", *files, "--env-file", str(env_file), "config", "-q"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


# --- nginx -----------------------------------------------------------------------------------------


def nginx_location(text: str, prefix: str) -> str:
    """The body of `location <prefix> { … }`, nested blocks included."""
    start = text.index(f"location {prefix} {{") + len(f"location {prefix} {{")
    depth, i = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start:i - 1]


def test_nginx_proxies_websockets_with_upgrade_headers():
    text = NGINX.read_text()
    assert re.search(r"map \$http_upgrade \$connection_upgrade", text)
    assert re.search(r"server web:8000;", text)
    ws = nginx_location(text, "/ws/")
    assert "proxy_pass http://dlc_web;" in ws
    assert "proxy_http_version 1.1;" in ws
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection $connection_upgrade;" in ws
    assert "proxy_set_header Host $http_host;" in ws, "the Origin check needs the host with its port"
    assert int(re.search(r"proxy_read_timeout (\d+)s;", ws).group(1)) >= 3600
    root = nginx_location(text, "/")
    assert "proxy_pass http://dlc_web;" in root and "X-Forwarded-Proto" in root


def test_nginx_serves_static_files_keeps_media_private_and_limits_bodies_like_the_api():
    text = NGINX.read_text()
    assert "alias /data/static/;" in nginx_location(text, "/static/")
    assert "internal;" in nginx_location(text, "/media/")
    limit = import_limit_default()
    size = nginx_size(re.search(r"client_max_body_size (\w+);", text).group(1))
    # The API accepts the limit plus 64 KiB of multipart envelope and answers 413 itself above that.
    assert limit + 64 * 1024 <= size <= limit + 8 * 1024**2
    values, _ = env_example()
    assert int(values["DLC_IMPORT_MAX_BYTES"]) == limit
    compose_default = load_compose()["services"]["web"]["environment"]["DLC_IMPORT_MAX_BYTES"]
    assert compose_default == f"${{DLC_IMPORT_MAX_BYTES:-{limit}}}"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx-light to run this)")
def test_nginx_accepts_the_configuration(tmp_path):
    site = NGINX.read_text().replace("server web:8000;", "server 127.0.0.1:8000;").replace("listen 80 ", "listen 18080 ")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- Kubernetes --------------------------------------------------------------------------------------


def test_kustomization_lists_every_manifest_but_the_secret_template():
    listed = {p.name for p in k8s_resource_files()}
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert SECRET_TEMPLATE.name not in listed, "apply -k must never overwrite the real Secret with placeholders"
    assert listed == present - {SECRET_TEMPLATE.name}
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert kustomization["namespace"] == "dlclassroom"
    assert {image["name"] for image in kustomization["images"]} == PYTHON_IMAGES


def test_every_object_has_the_required_fields():
    objects = k8s_objects() + [secret_template()]
    for obj in objects:
        assert obj.get("apiVersion") and obj.get("kind"), obj
        assert obj.get("metadata", {}).get("name"), obj
    kinds = {o["kind"] for o in objects}
    assert {"Namespace", "ConfigMap", "Secret", "Deployment", "StatefulSet", "Service", "PersistentVolumeClaim", "Job", "Ingress"} <= kinds


def test_manifests_validate_against_the_kubernetes_schemas():
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is in requirements.txt")
    for obj in k8s_objects() + [secret_template()]:
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                where = ".".join(str(p) for p in exc.path)
                pytest.fail(f"{obj['kind']} {obj['metadata']['name']} (Kubernetes {version}): {where}: {exc.message}")


def test_workload_selectors_match_their_pod_labels():
    for obj in k8s_objects():
        if obj["kind"] in ("Deployment", "StatefulSet"):
            selector = obj["spec"]["selector"]["matchLabels"]
            labels = pod_labels(obj)
            assert selector and selector.items() <= labels.items(), obj["metadata"]["name"]


def test_services_select_pods_and_target_their_ports():
    objects = k8s_objects()
    workloads = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]
    for service in (o for o in objects if o["kind"] == "Service"):
        selector = service["spec"]["selector"]
        targets = [w for w in workloads if selector.items() <= pod_labels(w).items()]
        assert targets, f"Service {service['metadata']['name']} selects no pods"
        for workload in targets:
            ports = [p for c in workload["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])]
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                assert any(target in (p.get("name"), p["containerPort"]) for p in ports), (service["metadata"]["name"], target)
    for statefulset in (o for o in objects if o["kind"] == "StatefulSet"):
        by_kind_name("Service", statefulset["spec"]["serviceName"])


def test_referenced_configmaps_secrets_and_volumes_exist():
    objects = k8s_objects()
    configmaps = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConfigMap"}
    secret = secret_template()
    claims = {o["metadata"]["name"] for o in objects if o["kind"] == "PersistentVolumeClaim"}
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        name = obj["metadata"]["name"]
        templates = {t["metadata"]["name"] for t in obj["spec"].get("volumeClaimTemplates", [])}
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for volume in volumes.values():
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, (name, volume)
        for container in all_containers(spec):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in configmaps, (name, source)
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == secret["metadata"]["name"], (name, ref)
                    assert ref["key"] in secret["stringData"], (name, ref)
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes or mount["name"] in templates, (name, mount)
    ingress = by_kind_name("Ingress", "dlclassroom")
    for tls in ingress["spec"].get("tls", []):
        assert tls["secretName"] in SECRET_TEMPLATE.read_text(), "the template explains how to create the TLS Secret"


def test_python_pods_share_the_data_root_and_the_environment():
    data_claim = by_kind_name("PersistentVolumeClaim", "dlc-data")
    assert data_claim["spec"]["accessModes"] == ["ReadWriteMany"]
    data_root = configmap_data()["DLC_DATA_ROOT"]
    documented, read = readme_env_names(), settings_env_names()
    containers = python_containers()
    assert {obj["metadata"]["name"] for obj, _ in containers} == {"web", "worker-training", "worker-light", "beat", "dlc-setup"}
    for obj, container in containers:
        spec = pod_spec(obj)
        claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"] if "persistentVolumeClaim" in v}
        mounts = {m["mountPath"]: claims.get(m["name"]) for m in container["volumeMounts"]}
        assert mounts.get(data_root) == "dlc-data", (obj["metadata"]["name"], container["name"])
        names = set(configmap_data()) if container.get("envFrom") else set()
        names |= {e["name"] for e in container.get("env", [])}
        assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DLC_DATA_ROOT"} <= names, container["name"]
        assert names <= documented, names - documented
        assert names <= read, names - read
        # The image's ENTRYPOINT (tini) stays; the process goes in args.
        assert "command" not in container and container["args"], container["name"]


def test_pods_wait_for_the_set_up_job():
    job = by_kind_name("Job", "dlc-setup")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["sh", "deploy/container.sh", "init"]
    for name in ("web", "worker-training", "worker-light", "beat"):
        spec = pod_spec(by_kind_name("Deployment", name))
        (init,) = spec["initContainers"]
        assert init["args"] == ["sh", "deploy/container.sh", "wait"], name
        assert init["image"] == spec["containers"][0]["image"], "the same build waits for its own set-up"


def test_gpu_training_worker():
    worker = by_kind_name("Deployment", "worker-training")
    spec = pod_spec(worker)
    (container,) = spec["containers"]
    assert container["image"] == "dlclassroom-gpu"
    assert worker_queues(container["args"]) == {"training-gpu", "training"}
    assert container["args"][container["args"].index("-c") + 1] == "1"
    resources = container["resources"]
    assert int(resources["limits"]["nvidia.com/gpu"]) == 1
    assert int(resources["requests"].get("nvidia.com/gpu", 1)) == 1
    assert spec["nodeSelector"]
    assert any(t["key"] == "nvidia.com/gpu" for t in spec["tolerations"])
    assert worker["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 0
    for name in ("web", "worker-light", "beat"):
        for c in all_containers(pod_spec(by_kind_name("Deployment", name))):
            assert "nvidia.com/gpu" not in c["resources"].get("limits", {}), name


def test_light_worker_and_single_beat():
    light = pod_spec(by_kind_name("Deployment", "worker-light"))["containers"][0]
    assert worker_queues(light["args"]) == {"light"}
    beat = by_kind_name("Deployment", "beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert pod_spec(beat)["containers"][0]["args"][3] == "beat"


def test_web_probes_ask_a_url_that_exists_with_an_allowed_host():
    from django.urls import resolve

    container = pod_spec(by_kind_name("Deployment", "web"))["containers"][0]
    allowed = configmap_data()["ALLOWED_HOSTS"].split(",")
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        resolve(get["path"])
        assert get["port"] in ("http", 8000)
        hosts = [h["value"] for h in get.get("httpHeaders", []) if h["name"].lower() == "host"]
        assert hosts and hosts[0] in allowed, probe


def test_every_container_has_resources_and_runs_as_non_root():
    for obj in k8s_objects():
        spec = pod_spec(obj)
        if spec is None:
            continue
        name = obj["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"].get("runAsUser", 1) != 0, name
        for container in all_containers(spec):
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, container["name"], bound)
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, (name, container["name"])


def test_ingress_passes_websockets_and_large_uploads():
    ingress = by_kind_name("Ingress", "dlclassroom")
    annotations = ingress["metadata"]["annotations"]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{key}"]) >= 3600, key
    limit = import_limit_default()
    size = nginx_size(annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
    assert limit + 64 * 1024 <= size <= limit + 8 * 1024**2
    assert int(configmap_data()["DLC_IMPORT_MAX_BYTES"]) == limit
    web_service = by_kind_name("Service", "web")
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "web"
            assert backend["port"].get("name") in {p["name"] for p in web_service["spec"]["ports"]}
            assert path["path"] == "/" and path["pathType"] == "Prefix", "covers /ws/ too"
        assert rule["host"] in configmap_data()["ALLOWED_HOSTS"].split(",")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_builds_the_manifests():
    done = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    built = [d for d in yaml.safe_load_all(done.stdout) if d]
    assert len(built) == len(k8s_objects())
    for obj in built:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "dlclassroom", obj["metadata"]["name"]
        spec = obj.get("spec", {}).get("template", {}).get("spec")
        for container in all_containers(spec) if spec else []:
            assert container["image"] not in PYTHON_IMAGES, "kustomize's images: replaced the image name"


# --- documentation -------------------------------------------------------------------------------


def test_deploy_docs_are_linked_and_honest():
    readme = (DEPLOY / "README.md").read_text()
    assert "docs/deploy.md" in readme
    assert "planned work" not in readme
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for phrase in ("kubectl apply -k deploy/k8s", "docker compose -f deploy/compose.yaml", "Not verified", "autoscaling", "TLS"):
        assert phrase in guide, phrase
