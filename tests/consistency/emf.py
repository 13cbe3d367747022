"""CloudWatch Embedded Metric Format (EMF): what a metric line must be, and which of our
metrics the template's dashboard and alarms name.

The schema is written from AWS's specification ("Specification: Embedded metric format",
CloudWatch User Guide): a root object with `_aws` holding `Timestamp` (milliseconds) and
`CloudWatchMetrics`, an array of directives, each with `Namespace`, `Dimensions` (arrays of at
most 30 names) and `Metrics` (at most 100, each a `Name` with an optional `Unit` from the
CloudWatch list and `StorageResolution` 1 or 60). Every dimension a directive names must be a
root member with a string value, and every metric a root member with a number (or an array of
at most 100 numbers).
"""
import jsonschema

UNITS = [
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
    "Count/Second", "None",
]

NAME = {"type": "string", "minLength": 1, "maxLength": 1024}

SCHEMA = {
    "type": "object",
    "required": ["_aws"],
    "properties": {
        "_aws": {
            "type": "object",
            "required": ["Timestamp", "CloudWatchMetrics"],
            "properties": {
                "Timestamp": {"type": "integer", "minimum": 0},
                "CloudWatchMetrics": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["Namespace", "Dimensions", "Metrics"],
                        "additionalProperties": False,
                        "properties": {
                            "Namespace": {**NAME, "pattern": ".*[^\\s].*"},
                            "Dimensions": {
                                "type": "array",
                                "items": {"type": "array", "maxItems": 30, "items": {**NAME, "maxLength": 250}},
                            },
                            "Metrics": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {
                                    "type": "object",
                                    "required": ["Name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "Name": NAME,
                                        "Unit": {"enum": UNITS},
                                        "StorageResolution": {"enum": [1, 60]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def problems(entry):
    """What is wrong with one EMF line (parsed), as a list of texts."""
    found = [error.message for error in jsonschema.Draft7Validator(SCHEMA).iter_errors(entry)]
    if found:
        return found
    for directive in entry["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            for name in dimension_set:
                if not isinstance(entry.get(name), str):
                    found.append(f"dimension {name!r} is not a string member of the line")
        for metric in directive["Metrics"]:
            value = entry.get(metric["Name"])
            numbers = value if isinstance(value, list) else [value]
            if (isinstance(value, list) and len(value) > 100) or not numbers or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
                found.append(f"metric {metric['Name']!r} is not a number (or up to 100 numbers) of the line")
    return found


def emitted(entry):
    """(namespace, metric name, dimension names) of each metric the line emits."""
    return {(directive["Namespace"], metric["Name"], tuple(dimensions))
            for directive in entry["_aws"]["CloudWatchMetrics"]
            for metric in directive["Metrics"]
            for dimensions in directive["Dimensions"]}


def template_metrics(template):
    """(metric name, dimension names) of every metric of `MetricsNamespace` the template's
    alarms and dashboards name: alarm metrics, dashboard metric rows and SEARCH expressions."""
    import json
    import re

    def ours(namespace):
        return namespace == {"Ref": "MetricsNamespace"} or namespace == "MetricsNamespace"

    named = set()
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            metrics = [properties] + [q["MetricStat"]["Metric"] for q in properties.get("Metrics", [])
                                      if "MetricStat" in q]
            for metric in metrics:
                if ours(metric.get("Namespace")):
                    named.add((metric["MetricName"], tuple(sorted(d["Name"] for d in metric.get("Dimensions", [])))))
        if resource["Type"] == "AWS::CloudWatch::Dashboard":
            body = properties["DashboardBody"]
            text = body["Fn::Sub"] if isinstance(body, dict) else body
            text = re.sub(r"\$\{([A-Za-z0-9.:]+)\}", lambda m: m.group(1), text)
            for widget in json.loads(text)["widgets"]:
                for row in widget.get("properties", {}).get("metrics", []):
                    if isinstance(row[0], str) and ours(row[0]):
                        names = [x for x in row[1:] if isinstance(x, str)]
                        named.add((names[0], tuple(sorted(names[1::2]))))
                    for item in row:
                        if isinstance(item, dict) and "expression" in item:
                            for dims, metric in re.findall(r"\{MetricsNamespace,([^}]*)\} MetricName=\"([^\"]+)\"",
                                                           item["expression"]):
                                named.add((metric, tuple(sorted(d.strip() for d in dims.split(",")))))
    return named
