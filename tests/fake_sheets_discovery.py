"""Request validation for tests/fake_sheets_api.py, from the discovery documents that
google-api-python-client ships (sheets.v4.json, drive.v3.json): the method and path, the query
parameters (names, repetition, booleans, integers, enum values), the request body (every property
name against its schema, recursively, with types and enum values) and ``fields`` masks."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import googleapiclient

from tests.fake_sheets_grid import bad

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@dataclass(frozen=True)
class Method:
    id: str  # e.g. "sheets.spreadsheets.values.batchUpdate"
    http_method: str
    pattern: re.Pattern
    literal: int  # characters outside variables: the more, the more specific
    doc: dict[str, Any]
    description: dict[str, Any]

    @property
    def schemas(self) -> dict[str, Any]:
        return self.doc["schemas"]


@lru_cache(maxsize=None)
def document(name: str) -> dict[str, Any]:
    return json.loads((DOCUMENTS / name).read_text(encoding="utf-8"))


def _methods(resources: dict[str, Any]):
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _methods(resource.get("resources", {}))


@lru_cache(maxsize=None)
def routes() -> tuple[Method, ...]:
    """Every Sheets v4 method, and the Drive v3 calls modelled: files.get, revisions.list, changes,
    permissions.list."""
    out = []
    for name, only in (("sheets.v4.json", None), ("drive.v3.json", {"drive.files.get", "drive.revisions.list", "drive.permissions.list",
                                                               "drive.files.create", "drive.files.update",
                                                               "drive.permissions.create", "drive.comments.list",
                                                               "drive.changes.getStartPageToken", "drive.changes.list"})):
        doc = document(name)
        base = doc["servicePath"]
        for desc in _methods(doc["resources"]):
            if only is not None and desc["id"] not in only:
                continue
            path = base + desc.get("flatPath", desc["path"])
            parts = re.split(r"(\{\+?\w+\})", path)
            regex = "".join(f"(?P<{p.strip('{}+')}>[^/]+?)" if p.startswith("{") else re.escape(p) for p in parts)
            literal = sum(len(p) for p in parts if not p.startswith("{"))
            host = doc["rootUrl"].split("//", 1)[1].rstrip("/")
            out.append(Method(desc["id"], desc["httpMethod"], re.compile(f"^{re.escape(host)}/{regex}$"), literal,
                              doc, desc))
    return tuple(sorted(out, key=lambda m: -m.literal))


def match(http_method: str, host: str, path: str) -> tuple[Method, dict[str, str]]:
    target = f"{host}{path}"
    known_path = False
    for method in routes():
        m = method.pattern.match(target)
        if m:
            known_path = True
            if method.http_method == http_method:
                return method, {k: unquote(v) for k, v in m.groupdict().items()}
    if known_path:
        raise bad(f"Method {http_method} is not allowed on {path}")
    from tests.fake_sheets_grid import ApiError
    raise ApiError(404, f"The requested URL {path} was not found on this server.", "NOT_FOUND")


def check_query(method: Method, query: dict[str, list[str]]) -> None:
    params = {**method.doc.get("parameters", {}),
              **{k: v for k, v in method.description.get("parameters", {}).items() if v.get("location") == "query"}}
    for name, values in query.items():
        spec = params.get(name)
        if spec is None:
            raise bad(f"Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. "
                      f"Field '{name}' could not be found in request message.")
        if len(values) > 1 and not spec.get("repeated"):
            raise bad(f"Invalid value for parameter '{name}': only one value is allowed")
        for value in values:
            _check_scalar(value, spec, name, from_query=True)
    for name, spec in params.items():
        if spec.get("required") and spec.get("location") == "query" and name not in query:
            raise bad(f"'{name}' is required but not specified")


def _check_scalar(value: Any, spec: dict[str, Any], where: str, from_query: bool = False) -> None:
    kind = spec.get("type")
    if from_query:
        if kind == "boolean" and value.lower() not in ("true", "false"):
            raise bad(f"Invalid value at '{where}' (TYPE_BOOL), \"{value}\"")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            raise bad(f"Invalid value at '{where}' (TYPE_INT32), \"{value}\"")
    elif kind == "string" and not isinstance(value, str) and not (spec.get("format") in ("int64", "uint64")
                                                                 and isinstance(value, int)):
        raise bad(f"Invalid value at '{where}' (TYPE_STRING), {json.dumps(value)}")
    elif kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise bad(f"Invalid value at '{where}' (TYPE_INT32), {json.dumps(value)}")
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise bad(f"Invalid value at '{where}' (TYPE_DOUBLE), {json.dumps(value)}")
    elif kind == "boolean" and not isinstance(value, bool):
        raise bad(f"Invalid value at '{where}' (TYPE_BOOL), {json.dumps(value)}")
    if "enum" in spec and value not in spec["enum"]:
        raise bad(f"Invalid value at '{where}' (type.googleapis.com/{where}), \"{value}\"")


def check_body(method: Method, body: Any) -> None:
    request = method.description.get("request")
    if request is None:
        if body is not None:
            raise bad(f"Invalid JSON payload received. {method.id} takes no request body.")
        return
    if body is None:
        body = {}
    check_value(body, request, "", method.schemas)


def check_value(value: Any, spec: dict[str, Any], where: str, schemas: dict[str, Any]) -> None:
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if kind == "any":
        return
    if kind == "object" or "properties" in spec:
        if not isinstance(value, dict):
            raise bad(f"Invalid JSON payload received. Expected an object at '{where or 'body'}'.")
        props, extra = spec.get("properties", {}), spec.get("additionalProperties")
        for key, item in value.items():
            inner = f"{where}.{key}" if where else key
            if key in props:
                check_value(item, props[key], inner, schemas)
            elif extra is not None:
                check_value(item, extra, inner, schemas)
            else:
                raise bad(f"Invalid JSON payload received. Unknown name \"{key}\" at '{where or 'body'}': "
                          "Cannot find field.")
        return
    if kind == "array":
        if not isinstance(value, list):
            raise bad(f"Invalid JSON payload received. Expected a list at '{where}'.")
        for i, item in enumerate(value):
            check_value(item, spec.get("items", {"type": "any"}), f"{where}[{i}]", schemas)
        return
    _check_scalar(value, spec, where)


# --- field masks --------------------------------------------------------------------------------

Mask = dict[str, "Mask | None"]  # name -> sub-mask (None: the whole value)


def parse_mask(text: str) -> Mask:
    """'a.b(c,d),e' -> {'a': {'b': {'c': None, 'd': None}}, 'e': None}."""
    pos = 0

    def items() -> Mask:
        nonlocal pos
        out: Mask = {}
        while True:
            m = re.compile(r"\s*([A-Za-z_*][\w*]*(?:\.[A-Za-z_*][\w*]*)*)\s*").match(text, pos)
            if not m:
                raise bad(f"Invalid field selection {text}")
            pos = m.end()
            path = m.group(1).split(".")
            sub: Mask | None = None
            if text[pos:pos + 1] == "(":
                pos += 1
                sub = items()
                if text[pos:pos + 1] != ")":
                    raise bad(f"Invalid field selection {text}")
                pos += 1
            node = out
            for name in path[:-1]:
                nxt = node.get(name)
                if nxt is None:
                    nxt = node[name] = {}
                node = nxt
            last = path[-1]
            if last in node and isinstance(node[last], dict) and isinstance(sub, dict):
                node[last].update(sub)
            elif last not in node or sub is None:
                node[last] = sub
            if text[pos:pos + 1] == ",":
                pos += 1
                continue
            return out

    mask = items()
    if pos != len(text):
        raise bad(f"Invalid field selection {text}")
    return mask


def check_mask(mask: Mask, schema: str | dict[str, Any], schemas: dict[str, Any], where: str = "") -> None:
    spec = schemas[schema] if isinstance(schema, str) else schema
    for name, sub in mask.items():
        if name == "*":
            continue
        prop = spec.get("properties", {}).get(name)
        if prop is None:
            raise bad(f"Invalid field selection {where + name}")
        if sub is None:
            continue
        prop = prop.get("items", prop)
        if "$ref" in prop:
            check_mask(sub, prop["$ref"], schemas, f"{where}{name}.")
        elif "properties" in prop:
            check_mask(sub, prop, schemas, f"{where}{name}.")
        else:
            raise bad(f"Invalid field selection {where + name}: {name} has no fields")


def apply_mask(value: Any, mask: Mask | None) -> Any:
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_mask(v, mask) for v in value]
    if isinstance(value, dict):
        out = {}
        for name, sub in mask.items():
            if name in value:
                kept = apply_mask(value[name], sub)
                if kept != {} or sub is None:
                    out[name] = kept
        return out
    return value
