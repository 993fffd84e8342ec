"""The objects of one `helm template` output that the checks read: workloads with their pod's
service account, service accounts, services and the config files in ConfigMaps and Secrets."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

COMPONENT_LABEL = "app.kubernetes.io/component"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")


class ManifestError(ValueError):
    """The render is not the YAML a chart produces."""


@dataclass(frozen=True)
class Workload:
    """Something that runs pods, with what the checks need from its pod template."""

    kind: str
    name: str
    namespace: str
    component: str  # the app.kubernetes.io/component label, "" without one
    service_account: str  # "default" when the pod names none
    replicas: int | None  # None for DaemonSets and Jobs

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class ServiceAccount:
    name: str
    namespace: str
    annotations: Mapping[str, str]

    @property
    def subject(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    ports: tuple[int, ...]


@dataclass(frozen=True)
class Manifests:
    """One release's rendered objects. `namespace` is the release namespace, which objects
    without one of their own land in."""

    namespace: str
    workloads: tuple[Workload, ...] = ()
    service_accounts: tuple[ServiceAccount, ...] = ()
    services: tuple[Service, ...] = ()
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # data key -> texts

    def service_account(self, namespace: str, name: str) -> ServiceAccount | None:
        return next(
            (sa for sa in self.service_accounts if (sa.namespace, sa.name) == (namespace, name)),
            None,
        )

    def config(self, key: str) -> dict[str, Any] | None:
        """The YAML config file stored under `key` in a ConfigMap or Secret; None if no object
        holds it. Several different files under one key are a ManifestError."""
        texts = set(self.files.get(key, ()))
        if not texts:
            return None
        if len(texts) > 1:
            raise ManifestError(f"{len(texts)} different files are named {key}")
        tree = yaml.safe_load(next(iter(texts)))
        if not isinstance(tree, dict):
            raise ManifestError(f"{key} is not a YAML mapping")
        return tree


def _pod_spec(document: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(pod metadata, pod spec) of a workload."""
    kind = document["kind"]
    spec = document.get("spec") or {}
    if kind == "Pod":
        return document.get("metadata") or {}, spec
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template") or {}
    return template.get("metadata") or {}, template.get("spec") or {}


def _replicas(document: Mapping[str, Any]) -> int | None:
    if document["kind"] not in ("Deployment", "StatefulSet"):
        return None
    value = (document.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)  # Kubernetes' default


def _texts(document: Mapping[str, Any]) -> dict[str, str]:
    texts = {str(k): str(v) for k, v in (document.get("data") or {}).items()}
    if document["kind"] == "Secret":
        decoded = {}
        for key, value in texts.items():
            try:
                decoded[key] = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                continue
        texts = decoded
        texts.update({str(k): str(v) for k, v in (document.get("stringData") or {}).items()})
    return texts


def parse(text: str, namespace: str) -> Manifests:
    """Read a `helm template` output. Raises ManifestError when it is not YAML objects."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as error:
        raise ManifestError(f"the render is not YAML ({error})") from None
    workloads, accounts, services = [], [], []
    files: dict[str, list[str]] = {}
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document:
            raise ManifestError("the render holds a document that is not a Kubernetes object")
        kind = document["kind"]
        metadata = document.get("metadata") or {}
        name = str(metadata.get("name", ""))
        ns = str(metadata.get("namespace") or namespace)
        if kind in WORKLOAD_KINDS:
            pod_metadata, pod = _pod_spec(document)
            labels = pod_metadata.get("labels") or {}
            workloads.append(
                Workload(
                    kind=kind,
                    name=name,
                    namespace=ns,
                    component=str(labels.get(COMPONENT_LABEL, "")),
                    service_account=str(pod.get("serviceAccountName") or "default"),
                    replicas=_replicas(document),
                )
            )
        elif kind == "ServiceAccount":
            annotations = {str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()}
            accounts.append(ServiceAccount(name, ns, annotations))
        elif kind == "Service":
            ports = tuple(int(p["port"]) for p in (document.get("spec") or {}).get("ports") or [])
            services.append(Service(name, ns, ports))
        elif kind in ("ConfigMap", "Secret"):
            for key, value in _texts(document).items():
                files.setdefault(key, []).append(value)
    return Manifests(
        namespace=namespace,
        workloads=tuple(workloads),
        service_accounts=tuple(accounts),
        services=tuple(services),
        files={key: tuple(values) for key, values in files.items()},
    )


@dataclass(frozen=True)
class Release:
    """One chart rendered with the values written for its app."""

    app: str
    chart: str  # the chart's name
    version: str  # the chart's version, from its Chart.yaml
    name: str  # the release name
    namespace: str
    values: Mapping[str, Any]
    manifests: Manifests
