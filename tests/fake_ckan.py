"""A strict in-process fake of CKAN's action API (v3), mounted as a requests transport adapter so
that ckanapi.RemoteCKAN talks to it over its real HTTP code path.

Derived from CKAN's own source, ckan/ckan at commit 2dbe2c18f65e (CKAN 2.13.0a0, August 2026):
- ckan/views/api.py ``action()``: the envelope ``{"help", "success", "result"}``; errors as
  ``{"__type": "Validation Error", <field>: [messages]}`` with 409, ``"Not Found Error"`` 404,
  ``"Authorization Error"`` 403, an unknown action as 400 "Bad request - Action name not known".
- ckan/logic/schema/__init__.py ``default_create_package_schema`` (name: not_empty,
  name_validator, package_name_validator; owner_org: owner_org_validator; tags:
  default_tags_schema; extras: duplicate keys refused), ``default_resource_schema`` (size:
  int_validator; created/last_modified: isodate; unknown resource keys kept as extras).
- ckan/logic/validators.py: name 2..100 characters of ``[a-z0-9_-]``; tag names 2..100 of
  ``[\\w \\-.]``.
- ckan/logic/action/get.py ``package_show`` (by id or name; owner_org is the organisation's id,
  ``organization`` its dict), create.py ``package_create``/``resource_create`` (package_id
  required), patch.py ``package_patch``/``resource_patch`` (the stored dict updated with what is
  given, then validated as an update).
Writes need the API token in the Authorization header (ckanapi sends it there).
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone

import requests
from requests.adapters import BaseAdapter

NAME = re.compile(r"[a-z0-9_\-]*$")
TAG = re.compile(r"[\w \-.]*$", re.UNICODE)
PACKAGE_KEYS = {"id", "name", "title", "author", "author_email", "maintainer", "maintainer_email", "license_id",
                "notes", "url", "version", "state", "type", "owner_org", "private", "resources", "tags",
                "tag_string", "extras", "groups", "plugin_data", "metadata_modified"}
RESOURCE_KEYS = {"id", "package_id", "url", "description", "format", "hash", "state", "position", "name",
                 "resource_type", "url_type", "mimetype", "mimetype_inner", "cache_url", "size", "created",
                 "last_modified", "cache_last_updated", "datastore_active"}
WRITES = {"package_create", "package_patch", "resource_create", "resource_patch"}


class Invalid(Exception):
    def __init__(self, errors: dict) -> None:
        self.errors = errors


class NotFound(Exception):
    pass


def _now() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat()


class FakeCkan(BaseAdapter):
    def __init__(self, token: str = "rahasia-ckan", organisations: tuple[str, ...] = ("kab-magetan",)) -> None:
        super().__init__()
        self.token = token
        self.orgs = {name: {"id": str(uuid.uuid4()), "name": name, "title": name, "type": "organization"}
                     for name in organisations}
        self.packages: dict[str, dict] = {}  # id -> stored package
        self.calls: list[tuple[str, dict]] = []
        self.fail_next: dict[str, tuple[int, dict]] = {}  # action -> (status, error) returned once

    def session(self, base: str) -> requests.Session:
        session = requests.Session()
        session.mount(base, self)
        return session

    def writes(self) -> list[tuple[str, dict]]:
        return [c for c in self.calls if c[0] in WRITES]

    # --- transport --------------------------------------------------------------------------
    def send(self, request, **kwargs):
        action = request.path_url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        body = json.loads(request.body or b"{}")
        self.calls.append((action, body))
        envelope = {"help": f"http://ckan.test/api/3/action/help_show?name={action}"}
        handler = getattr(self, f"_{action}", None) if action in WRITES | {"package_show", "organization_show"} \
            else None
        if action in self.fail_next:
            status, error = self.fail_next.pop(action)
            return self._respond(request, status, {**envelope, "success": False, "error": error})
        if handler is None:
            return self._respond(request, 400, {"help": envelope["help"], "success": False, "error": {
                "message": f"Bad request - Action name not known: {action}"}})
        if action in WRITES and request.headers.get("Authorization") != self.token:
            return self._respond(request, 403, {**envelope, "success": False, "error": {
                "__type": "Authorization Error", "message": "Access denied"}})
        try:
            result = handler(body)
        except Invalid as exc:
            return self._respond(request, 409, {**envelope, "success": False,
                                                "error": {**exc.errors, "__type": "Validation Error"}})
        except NotFound:
            return self._respond(request, 404, {**envelope, "success": False,
                                                "error": {"__type": "Not Found Error", "message": "Not found"}})
        return self._respond(request, 200, {**envelope, "success": True, "result": result})

    def close(self) -> None:
        pass

    @staticmethod
    def _respond(request, status: int, body: dict):
        response = requests.Response()
        response.status_code, response.request, response.url = status, request, request.url
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json;charset=utf-8"
        response.encoding = "utf-8"
        return response

    # --- validation (ckan/logic/schema, ckan/logic/validators) -----------------------------
    def _validate_package(self, data: dict, own_id: str | None) -> dict:
        errors: dict[str, list] = {}
        name = data.get("name")
        if not name:
            errors["name"] = ["Missing value"]
        elif not isinstance(name, str) or len(name) < 2:
            errors["name"] = ["Must be at least 2 characters long"]
        elif len(name) > 100:
            errors["name"] = ["Name must be a maximum of 100 characters long"]
        elif not NAME.match(name):
            errors["name"] = ["Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"]
        elif any(p["name"] == name and p["id"] != own_id for p in self.packages.values()):
            errors["name"] = ["That URL is already in use."]
        org = data.get("owner_org")
        found = next((o for o in self.orgs.values() if org in (o["id"], o["name"])), None)
        if not org or found is None:
            errors["owner_org"] = ["Organization does not exist"]
        tag_errors = []
        for tag in data.get("tags") or []:
            text = tag.get("name", "") if isinstance(tag, dict) else ""
            if not 2 <= len(text) <= 100 or not TAG.match(text):
                tag_errors.append({"name": [f'Tag "{text}" must be 2..100 of alphanumeric characters, " -_."']})
            else:
                tag_errors.append({})
        if any(tag_errors):
            errors["tags"] = tag_errors
        keys = [e.get("key") for e in data.get("extras") or []]
        if len(keys) != len(set(keys)):
            errors["extras"] = [{"key": ["There is a schema field with the same name"]}]
        resource_errors = [self._resource_errors(r) for r in data.get("resources") or []]
        if any(resource_errors):
            errors["resources"] = resource_errors
        if errors:
            raise Invalid(errors)
        return found

    @staticmethod
    def _moments(resource: dict) -> dict:
        """CKAN keeps resource moments as timestamps without zone and shows them back in ISO form."""
        out = dict(resource)
        for key in ("created", "last_modified"):
            if out.get(key):
                moment = datetime.fromisoformat(out[key])
                if moment.tzinfo is not None:
                    moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
                out[key] = moment.isoformat()
        return out

    @staticmethod
    def _resource_errors(resource: dict) -> dict:
        errors = {}
        if "size" in resource and resource["size"] is not None and not isinstance(resource["size"], int):
            errors["size"] = ["Invalid integer"]
        for key in ("created", "last_modified"):
            if resource.get(key):
                try:
                    datetime.fromisoformat(resource[key])
                except (TypeError, ValueError):
                    errors[key] = ["Date format incorrect"]
        return errors

    def _stored_resource(self, package: dict, resource: dict, position: int) -> dict:
        out = {k: v for k, v in self._moments(resource).items() if k not in ("package_id", "state", "position")}
        out.update(id=resource.get("id") or str(uuid.uuid4()), package_id=package["id"], position=position,
                   state="active", created=resource.get("created") or _now(), datastore_active=False)
        for key in RESOURCE_KEYS - {"datastore_active"}:
            out.setdefault(key, None if key in ("size", "last_modified", "cache_last_updated") else "")
        if out.get("format"):
            out["format"] = out["format"].strip()
        return out

    def _store(self, data: dict, existing: dict | None) -> dict:
        org = self._validate_package(data, existing["id"] if existing else None)
        package = {k: v for k, v in data.items() if k in PACKAGE_KEYS}
        package["id"] = existing["id"] if existing else str(uuid.uuid4())
        package["owner_org"], package["organization"] = org["id"], dict(org)
        package["tags"] = [{"id": str(uuid.uuid4()), "name": t["name"], "display_name": t["name"], "state": "active",
                            "vocabulary_id": None} for t in data.get("tags") or []]
        package["extras"] = [{"key": e["key"], "value": e["value"]} for e in data.get("extras") or []]
        package["resources"] = [self._stored_resource(package, r, i) for i, r in enumerate(data.get("resources") or [])]
        package.update(num_resources=len(package["resources"]), num_tags=len(package["tags"]), state="active",
                       type="dataset", private=bool(data.get("private", False)), metadata_modified=_now(),
                       metadata_created=existing["metadata_created"] if existing else _now())
        for key in ("title", "notes", "url", "license_id", "author", "maintainer", "version"):
            package.setdefault(key, "" if key != "title" else package["name"])
        self.packages[package["id"]] = package
        return json.loads(json.dumps(package))

    def _find(self, ident: str | None) -> dict:
        for package in self.packages.values():
            if ident in (package["id"], package["name"]):
                return package
        raise NotFound()

    # --- actions ----------------------------------------------------------------------------
    def _package_show(self, data: dict) -> dict:
        return json.loads(json.dumps(self._find(data.get("id"))))

    def _organization_show(self, data: dict) -> dict:
        found = next((o for o in self.orgs.values() if data.get("id") in (o["id"], o["name"])), None)
        if found is None:
            raise NotFound()
        return dict(found)

    def _package_create(self, data: dict) -> dict:
        return self._store(data, None)

    def _package_patch(self, data: dict) -> dict:
        existing = self._find(data.get("id"))
        patched = {**json.loads(json.dumps(existing)), **data, "id": existing["id"]}
        return self._store(patched, existing)

    def _resource_create(self, data: dict) -> dict:
        if not data.get("package_id"):
            raise Invalid({"package_id": ["Missing value"]})
        package = self._find(data["package_id"])
        errors = self._resource_errors(data)
        if errors:
            raise Invalid(errors)
        resource = self._stored_resource(package, data, len(package["resources"]))
        package["resources"].append(resource)
        package["num_resources"], package["metadata_modified"] = len(package["resources"]), _now()
        return dict(resource)

    def _resource_patch(self, data: dict) -> dict:
        for package in self.packages.values():
            for i, resource in enumerate(package["resources"]):
                if resource["id"] == data.get("id"):
                    errors = self._resource_errors(data)
                    if errors:
                        raise Invalid(errors)
                    package["resources"][i] = {**resource, **{k: v for k, v in self._moments(data).items()
                                                              if k != "package_id"}}
                    package["metadata_modified"] = _now()
                    return dict(package["resources"][i])
        raise NotFound()
