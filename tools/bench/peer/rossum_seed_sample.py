"""The peer of scripts/bench-peer: the Rossum webhook sample of the project's seed document
(Rossum's guide to webhooks in Python), as the guide gives it: Flask with
flask-apispec and marshmallow, an HMAC-SHA1 check of `X-Elis-Signature`, and a JMESPath search
that replaces "ZERO" VAT rates with 0.0. Only the secret (the local server's development
secret) and the route (the local server's, so one load generator drives both) differ.

    gunicorn -w 2 -b 127.0.0.1:5000 rossum_seed_sample:app
"""
import hashlib
import hmac
from functools import wraps
from typing import Tuple

import flask
import jmespath
from flask import jsonify, request
from flask_apispec import use_kwargs
from marshmallow import EXCLUDE, Schema, fields
from werkzeug.exceptions import abort

app = flask.Flask(__name__)
SECRET_KEY = "rossum-development-secret"


class UserUpdateSchema(Schema):
    annotation = fields.Dict(required=True, location="json")

    class Meta:
        unknown = EXCLUDE


def hmac_signature_required(f):
    @wraps(f)
    def authorize_request(*args, **kwargs):
        digest = hmac.new(SECRET_KEY.encode(), request.data, hashlib.sha1).hexdigest()
        try:
            prefix, signature = request.headers["X-Elis-Signature"].split("=")
        except (KeyError, ValueError):
            abort(401, "Incorrect header format")
        if not (prefix == "sha1" and hmac.compare_digest(signature, digest)):
            abort(401, "Authorization failed.")
        return f(*args, **kwargs)

    return authorize_request


@app.route("/rossum/annotation-content/updated", methods=["POST"])
@hmac_signature_required
@use_kwargs(UserUpdateSchema)
def api_validate(annotation: dict) -> flask.Response:
    messages, updated_data_fields = zero_string_to_float(annotation["content"])
    return jsonify({"messages": messages, "operations": updated_data_fields})


def zero_string_to_float(annotation_tree_content: list) -> Tuple[list, list]:
    vat_rate_items = _search_annotation_tree(annotation_tree_content, "item_vat_rate")
    if not vat_rate_items:
        return [{"type": "error", "content": "Column with schema ID 'item_vat_rate' is missing."}], []

    updated_prices: list = []
    for item in vat_rate_items:
        if item["node_value"]:
            if "ZERO" in item["node_value"].upper():
                updated_prices.append(
                    {"op": "replace", "id": item["node_id"], "value": {"content": {"value": "0.0"}}}
                )
    return [], updated_prices


def _search_annotation_tree(content: list, schema_id: str):
    return jmespath.search(
        "[].children[].children[].children[?schema_id=='%s'][].{node_id: id, node_value: content.value}"
        % schema_id,
        content,
    )
