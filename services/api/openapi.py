"""The OpenAPI 3 document of the gateway, written by hand (it is small and stable)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__)

_ERROR = {"$ref": "#/components/schemas/Error"}


def _param(
    name: str, schema: dict[str, Any], description: str, where: str = "query"
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": description,
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ERROR, "Bad query parameter"),
    "401": _json(_ERROR, "Missing or wrong X-API-Key"),
    "404": _json(_ERROR, "No such read"),
}

_READ_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "schema_version",
        "read_id",
        "camera_id",
        "frame_id",
        "captured_at",
        "plate_text",
        "confidence",
        "char_confidences",
        "box",
        "detector_confidence",
        "model_versions",
        "latency_ms",
    ],
    "properties": {
        "schema_version": {"type": "integer", "example": 1},
        "read_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "camera_id": {"type": "string"},
        "frame_id": {"type": "string"},
        "captured_at": {"type": "string", "format": "date-time"},
        "recognized_at": {"type": "string", "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
        "plate_text": {"type": "string", "example": "AB123CD"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "char_confidences": {"type": "array", "items": {"type": "number"}},
        "box": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 4,
            "maxItems": 4,
            "description": "x1, y1, x2, y2 in frame pixels",
        },
        "detector_confidence": {"type": "number"},
        "format": {"type": "string", "nullable": True},
        "candidates": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "confidence": {"type": "number"}},
            },
        },
        "model_versions": {
            "type": "object",
            "properties": {"detector": {"type": "string"}, "recognizer": {"type": "string"}},
        },
        "latency_ms": {"type": "object", "additionalProperties": {"type": "number"}},
        "crop_url": {"type": "string"},
    },
}

_PASSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "passage_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "camera_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "announced", "closed"]},
        "plate_text": {"type": "string"},
        "confidence": {"type": "number"},
        "format": {"type": "string", "nullable": True},
        "first_seen": {"type": "string", "format": "date-time"},
        "last_seen": {"type": "string", "format": "date-time"},
        "read_count": {"type": "integer"},
        "best_read_id": {"type": "string"},
        "list_match": {"type": "object", "nullable": True},
        "decision": {"type": "string", "enum": ["allow", "deny", "unknown"]},
        "crop_url": {"type": "string"},
    },
}
_SNAPSHOT_PLATE: dict[str, Any] = {
    "type": "object",
    "required": ["text", "confidence", "char_confidences", "box", "detector_confidence"],
    "properties": {
        "text": {"type": "string", "example": "AB123CD"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "char_confidences": {"type": "array", "items": {"type": "number"}},
        "box": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        "detector_confidence": {"type": "number"},
        "format": {"type": "string", "nullable": True},
        "candidates": {"type": "array", "items": {"type": "object"}},
    },
}
_IMAGE = {"type": "string", "format": "binary"}
_RECOGNIZE_PATH: dict[str, Any] = {
    "post": {
        "security": [{"ApiKey": []}],
        "summary": "Read the plates of one still (e.g. a barrier loop's trigger), synchronously",
        "description": "Through the same detector and recognizer replicas as the cameras; "
        "the reads are answered only, not stored nor published on plates.recognized.",
        "requestBody": {
            "required": True,
            "content": {
                "image/jpeg": {"schema": _IMAGE},
                "image/png": {"schema": _IMAGE},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["image"],
                        "properties": {"image": _IMAGE},
                    }
                },
            },
        },
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "required": ["plates", "latency_ms"],
                    "properties": {
                        "snapshot_id": {"type": "string"},
                        "plates": {"type": "array", "items": _SNAPSHOT_PLATE},
                        "latency_ms": {"type": "number"},
                    },
                },
                "The plates found (best detection first; empty when none)",
            ),
            "400": _json(_ERROR, "Not a decodable image, or no 'image' field"),
            "401": _json(_ERROR, "Missing or wrong X-API-Key"),
            "413": _json(_ERROR, "Over LPR_SNAPSHOT_MAX_BYTES"),
            "415": _json(_ERROR, "Not an image content type"),
            "503": _json(_ERROR, "Broker unreachable, snapshots off, or too many waiting"),
            "504": _json(_ERROR, "No answer within LPR_SNAPSHOT_TIMEOUT_S"),
        },
    }
}
_LIST_NAME = _param("name", {"type": "string", "enum": ["allow", "deny"]}, "List", "path")
_KEYED = {"security": [{"ApiKey": []}]}

_LIST_PATHS: dict[str, Any] = {
    "/v1/passages": {
        "get": {
            **_KEYED,
            "summary": "List vehicle passages, newest first",
            "parameters": [
                _param("plate", {"type": "string"}, "Voted plate text (* is a wildcard)"),
                _param("camera_id", {"type": "string"}, "Camera id"),
                _param("decision", {"type": "string", "enum": ["allow", "deny", "unknown"]}, ""),
                _param("since", {"type": "string", "format": "date-time"}, "first_seen >= since"),
                _param("until", {"type": "string", "format": "date-time"}, "first_seen < until"),
                _param("limit", {"type": "integer", "minimum": 1, "default": 50}, "Page size"),
                _param("cursor", {"type": "string"}, "next_cursor of the previous page"),
            ],
            "responses": {"200": _json({"type": "object"}, "A page of passages"), **_ERRORS},
        }
    },
    "/v1/passages/{passage_id}": {
        "get": {
            **_KEYED,
            "summary": "One passage",
            "parameters": [_param("passage_id", {"type": "string"}, "Passage id", "path")],
            "responses": {"200": _json(_PASSAGE_SCHEMA, "The passage"), **_ERRORS},
        }
    },
    "/v1/passages/{passage_id}/crop.jpg": {
        "get": {
            **_KEYED,
            "summary": "The best plate crop of a passage",
            "parameters": [_param("passage_id", {"type": "string"}, "Passage id", "path")],
            "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}}, **_ERRORS},
        }
    },
    "/v1/lists": {
        "get": {
            **_KEYED,
            "summary": "The allow and deny lists with their sizes",
            "responses": {"200": _json({"type": "object"}, "Lists"), **_ERRORS},
        }
    },
    "/v1/lists/{name}": {
        "get": {
            **_KEYED,
            "summary": "Entries of a list",
            "parameters": [_LIST_NAME, _param("plate", {"type": "string"}, "Part of a plate")],
            "responses": {"200": _json({"type": "object"}, "Entries"), **_ERRORS},
        },
        "post": {
            **_KEYED,
            "summary": "Add a plate to a list (or update its note)",
            "parameters": [_LIST_NAME],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["plate"],
                            "properties": {
                                "plate": {"type": "string", "example": "AB123CD"},
                                "note": {"type": "string", "maxLength": 200},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _json({"type": "object"}, "Added"),
                "200": _json({"type": "object"}, "Already there; note updated"),
                **_ERRORS,
            },
        },
    },
    "/v1/lists/{name}/{plate}": {
        "delete": {
            **_KEYED,
            "summary": "Remove a plate from a list",
            "parameters": [_LIST_NAME, _param("plate", {"type": "string"}, "Plate", "path")],
            "responses": {"204": {"description": "Removed"}, **_ERRORS},
        }
    },
    "/v1/lists/{name}/import": {
        "post": {
            **_KEYED,
            "summary": "Import CSV rows plate[,note] (a header row is skipped)",
            "parameters": [_LIST_NAME],
            "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {
                "200": _json({"type": "object"}, "added, updated, errors per line"),
                "413": _json(_ERROR, "Over 1 MB"),
                **_ERRORS,
            },
        }
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "LPR gateway",
        "version": "1.0.0",
        "description": "Licence-plate reads recorded by the LPR pipeline.",
    },
    "components": {
        "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "schemas": {
            "Read": _READ_SCHEMA,
            "ReadPage": {
                "type": "object",
                "required": ["items", "next_cursor"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Read"}},
                    "next_cursor": {"type": "string", "nullable": True},
                },
            },
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "integer"},
                            "title": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    }
                },
            },
        },
    },
    "paths": {
        "/v1/reads": {
            "get": {
                "summary": "List reads, newest first",
                "security": [{"ApiKey": []}],
                "parameters": [
                    _param("plate", {"type": "string"}, "Plate text (normalised; * is a wildcard)"),
                    _param("camera_id", {"type": "string"}, "Camera id"),
                    _param(
                        "since",
                        {"type": "string", "format": "date-time"},
                        "captured_at >= since (UTC if no zone)",
                    ),
                    _param(
                        "until", {"type": "string", "format": "date-time"}, "captured_at < until"
                    ),
                    _param(
                        "min_confidence",
                        {"type": "number", "minimum": 0, "maximum": 1},
                        "Lowest read confidence",
                    ),
                    _param("limit", {"type": "integer", "minimum": 1, "default": 50}, "Page size"),
                    _param("cursor", {"type": "string"}, "next_cursor of the previous page"),
                ],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/ReadPage"}, "A page of reads"),
                    **_ERRORS,
                },
            }
        },
        "/v1/reads/{read_id}": {
            "get": {
                "summary": "One read",
                "security": [{"ApiKey": []}],
                "parameters": [_param("read_id", {"type": "string"}, "Read id", "path")],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Read"}, "The read"),
                    **_ERRORS,
                },
            }
        },
        "/v1/reads/{read_id}/crop.jpg": {
            "get": {
                "summary": "The plate crop of a read",
                "security": [{"ApiKey": []}],
                "parameters": [_param("read_id", {"type": "string"}, "Read id", "path")],
                "responses": {
                    "200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                    **_ERRORS,
                },
            }
        },
        **_LIST_PATHS,
        "/v1/recognize": _RECOGNIZE_PATH,
        "/healthz": {
            "get": {"summary": "Liveness", "responses": {"200": {"description": "Alive"}}}
        },
        "/readyz": {
            "get": {
                "summary": "Readiness (database reachable and migrated)",
                "responses": {"200": {"description": "Ready"}, "503": {"description": "Not ready"}},
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {"200": {"description": "Text format"}},
            }
        },
    },
}


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)
