//! A hook's `{"configurations": [...]}`, read as MDH documents it and checked before any
//! record is looked at: what is not supported is refused naming where it is (a JSON path
//! into the settings), a key we do not know is a warning naming it, never a silent change of
//! meaning; sizes are bounded.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::condition::Condition;
use crate::path::RecordPath;
use crate::template::{Piece, Template, braced_pieces, is_schema_id};

/// Most configurations one hook may have.
pub const MAX_CONFIGURATIONS: usize = 100;
/// Most queries one configuration may try.
pub const MAX_QUERIES: usize = 20;
/// Most fields one `find` may compare.
pub const MAX_FIND_FIELDS: usize = 20;
/// Most additional mappings one configuration may fill.
pub const MAX_ADDITIONAL_MAPPINGS: usize = 50;
/// Most options a target may be given, and how many it gets unless `max_options` says.
pub const MAX_OPTIONS: usize = 100;
pub const DEFAULT_MAX_OPTIONS: usize = 10;
/// The similarity a fuzzy query needs unless it says otherwise.
pub const DEFAULT_FUZZY_THRESHOLD: f64 = 0.6;

/// A configuration the matching cannot run as written: a 400 naming where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid matching configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The matching configurations of a hook, in the order they run.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchingSettings {
    pub configurations: Vec<Configuration>,
    /// Keys that were ignored, each named with where it was.
    pub warnings: Vec<String>,
}

/// One configuration: which dataset to search, how, and what to set from the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// Where it is in the settings, `configurations[i]`, and its `name`: how messages name it.
    pub label: String,
    pub name: String,
    /// The queues it applies to; empty: every queue.
    pub queue_ids: Vec<u64>,
    pub action_condition: Option<Condition>,
    /// The dataset's name (placeholders allowed).
    pub dataset: Template,
    /// Tried in order; the first with a result wins.
    pub queries: Vec<Query>,
    pub mapping: Mapping,
    pub additional_mappings: Vec<Mapping>,
    pub default: DefaultValue,
    pub result_actions: ResultActions,
    pub max_options: usize,
}

/// A query of `source.queries`.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// MongoDB's `find` with equality only: every field equals its value.
    Find(Vec<(RecordPath, FindValue)>),
    /// Ours: records whose `field` is similar to `value` (trigrams of folded text), best first.
    Fuzzy {
        field: RecordPath,
        value: Template,
        threshold: f64,
    },
}

/// What a `find` field must equal.
#[derive(Debug, Clone, PartialEq)]
pub enum FindValue {
    /// Text, after its placeholders are replaced (a sole placeholder of a number datapoint
    /// is compared as a number).
    Text(Template),
    /// A number, `true`/`false` or `null` written in the configuration.
    Literal(Value),
}

/// A target datapoint and what of the chosen record it receives.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub target_schema_id: String,
    /// The record's value that becomes the datapoint's value (and each option's).
    pub dataset_key: RecordPath,
    pub label: Label,
}

/// How an option is labelled.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// The dataset key's value itself.
    Value,
    /// `label_template`: text with `{record path}` references.
    Template(Vec<LabelPart>),
    /// `label_keys`: the values of these keys joined with ", ".
    Keys(Vec<RecordPath>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum LabelPart {
    Text(String),
    Path(RecordPath),
}

/// `default`: the value and label set when nothing is selected from the records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultValue {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultActions {
    pub no_match_found: ResultAction,
    pub one_match_found: ResultAction,
    pub multiple_matches_found: ResultAction,
}

/// What to select for an outcome, and the message to show with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultAction {
    pub select: Select,
    pub message: Option<ActionMessage>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Select {
    /// The first record of the winning query.
    BestMatch,
    /// `default` (also what an action without `select` does).
    #[default]
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionMessage {
    /// `error`, `warning` or `info`, as Rossum's messages have it.
    pub kind: String,
    pub content: String,
}

impl MatchingSettings {
    /// The matching configurations of a hook's `settings`; `None` when they have no
    /// `configurations` key (the hook then matches as it did without them).
    pub fn from_hook_settings(settings: &Value) -> Result<Option<Self>, ConfigError> {
        let Some(configurations) = settings.get("configurations") else {
            return Ok(None);
        };
        let configurations = configurations
            .as_array()
            .ok_or_else(|| ConfigError("'configurations' must be a list".to_owned()))?;
        if configurations.len() > MAX_CONFIGURATIONS {
            return Err(ConfigError(format!(
                "{} configurations, more than the {MAX_CONFIGURATIONS} allowed",
                configurations.len()
            )));
        }
        let mut warnings = Vec::new();
        let configurations = configurations
            .iter()
            .enumerate()
            .map(|(index, value)| read_configuration(index, value, &mut warnings))
            .collect::<Result<_, _>>()
            .map_err(ConfigError)?;
        Ok(Some(Self {
            configurations,
            warnings,
        }))
    }
}

impl Configuration {
    /// Every schema id the configuration reads (dataset name, queries, action condition):
    /// a change to one of them runs it again.
    pub fn schema_ids(&self) -> BTreeSet<&str> {
        let mut ids: BTreeSet<&str> = self.dataset.schema_ids().collect();
        for query in &self.queries {
            match query {
                Query::Find(fields) => {
                    for (_, value) in fields {
                        if let FindValue::Text(template) = value {
                            ids.extend(template.schema_ids());
                        }
                    }
                }
                Query::Fuzzy { value, .. } => ids.extend(value.schema_ids()),
            }
        }
        if let Some(condition) = &self.action_condition {
            ids.extend(condition.schema_ids());
        }
        ids
    }

    /// The datapoints it sets: its target, then its additional targets.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.mapping)
            .chain(&self.additional_mappings)
            .map(|mapping| mapping.target_schema_id.as_str())
    }

    /// Whether it applies to the annotation of the queue at `queue_url`.
    pub fn applies_to_queue(&self, queue_url: Option<&str>) -> bool {
        webhook_model::rossum::in_queues(&self.queue_ids, queue_url)
    }
}

impl Label {
    /// The label of `record`, whose dataset key reads `value`.
    pub fn render(&self, record: &Value, value: &str) -> String {
        match self {
            Label::Value => value.to_owned(),
            Label::Template(parts) => parts
                .iter()
                .map(|part| match part {
                    LabelPart::Text(text) => text.clone(),
                    LabelPart::Path(path) => path.text(record),
                })
                .collect(),
            Label::Keys(paths) => paths
                .iter()
                .map(|path| path.text(record))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The keys of one JSON object of the settings, with what was not read reported.
struct Keys<'v> {
    at: String,
    object: &'v Map<String, Value>,
    read: BTreeSet<&'static str>,
}

impl<'v> Keys<'v> {
    fn of(value: &'v Value, at: String) -> Result<Self, String> {
        match value {
            Value::Object(object) => Ok(Self {
                at,
                object,
                read: BTreeSet::new(),
            }),
            _ => Err(format!("{at}: must be an object")),
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&'v Value> {
        self.read.insert(key);
        self.object.get(key)
    }

    fn string(&mut self, key: &'static str) -> Result<Option<&'v str>, String> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(format!("{}.{key}: must be a string", self.at)),
        }
    }

    fn required_string(&mut self, key: &'static str) -> Result<&'v str, String> {
        self.string(key)?
            .ok_or_else(|| format!("{}.{key}: is required", self.at))
    }

    /// Every key not read and not a `//` comment, as warnings.
    fn unread(self, warnings: &mut Vec<String>) {
        for key in self.object.keys() {
            if !key.starts_with("//") && !self.read.contains(key.as_str()) {
                warnings.push(format!("{}: unknown key {key:?} ignored", self.at));
            }
        }
    }
}

fn read_configuration(
    index: usize,
    value: &Value,
    warnings: &mut Vec<String>,
) -> Result<Configuration, String> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let label = match name.as_str() {
        "" => format!("configurations[{index}]"),
        name => format!("configurations[{index}] ({name:?})"),
    };
    let mut keys = Keys::of(value, label.clone())?;
    keys.string("name")?;
    let queue_ids = match keys.get("queue_ids") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| {
                id.as_u64().ok_or_else(|| {
                    format!("{label}.queue_ids: each must be a queue id (an integer), not {id}")
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(format!("{label}.queue_ids: must be a list of queue ids")),
    };
    let action_condition = match keys.string("action_condition")?.map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            Some(Condition::parse(text).map_err(|e| format!("{label}.action_condition: {e}"))?)
        }
    };
    let source = keys
        .get("source")
        .ok_or_else(|| format!("{label}.source: is required"))?;
    let (dataset, queries) = read_source(source, &label, warnings)?;
    let mapping = read_mapping(
        keys.get("mapping")
            .ok_or_else(|| format!("{label}.mapping: is required"))?,
        format!("{label}.mapping"),
        warnings,
    )?;
    let additional_mappings = match keys.get("additional_mappings") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(mappings)) if mappings.len() > MAX_ADDITIONAL_MAPPINGS => {
            return Err(format!(
                "{label}.additional_mappings: {} mappings, more than the {MAX_ADDITIONAL_MAPPINGS} allowed",
                mappings.len()
            ));
        }
        Some(Value::Array(mappings)) => mappings
            .iter()
            .enumerate()
            .map(|(i, m)| read_mapping(m, format!("{label}.additional_mappings[{i}]"), warnings))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(format!("{label}.additional_mappings: must be a list")),
    };
    let default = match keys.get("default") {
        None | Some(Value::Null) => DefaultValue::default(),
        Some(value) => read_default(value, format!("{label}.default"), warnings)?,
    };
    let result_actions = match keys.get("result_actions") {
        None | Some(Value::Null) => ResultActions::default(),
        Some(value) => read_result_actions(value, format!("{label}.result_actions"), warnings)?,
    };
    let max_options = match keys.get("max_options") {
        None | Some(Value::Null) => DEFAULT_MAX_OPTIONS,
        Some(value) => value
            .as_u64()
            .filter(|n| (1..=MAX_OPTIONS as u64).contains(n))
            .map(|n| n as usize)
            .ok_or_else(|| {
                format!("{label}.max_options: must be a whole number from 1 to {MAX_OPTIONS}")
            })?,
    };
    keys.unread(warnings);
    let configuration = Configuration {
        label,
        name,
        queue_ids,
        action_condition,
        dataset,
        queries,
        mapping,
        additional_mappings,
        default,
        result_actions,
        max_options,
    };
    Ok(configuration)
}

fn read_source(
    source: &Value,
    label: &str,
    warnings: &mut Vec<String>,
) -> Result<(Template, Vec<Query>), String> {
    let at = format!("{label}.source");
    let mut keys = Keys::of(source, at.clone())?;
    if keys.get("auth").is_some() {
        return Err(format!(
            "{at}.auth: queries to HTTP APIs are not supported; only dataset queries are"
        ));
    }
    // The queries first: an HTTP query has no dataset, and is refused for being HTTP.
    let queries = match keys.get("queries") {
        Some(Value::Array(queries)) if queries.is_empty() => {
            return Err(format!("{at}.queries: needs at least one query"));
        }
        Some(Value::Array(queries)) if queries.len() > MAX_QUERIES => {
            return Err(format!(
                "{at}.queries: {} queries, more than the {MAX_QUERIES} allowed",
                queries.len()
            ));
        }
        Some(Value::Array(queries)) => queries
            .iter()
            .enumerate()
            .map(|(i, query)| read_query(query, format!("{at}.queries[{i}]"), warnings))
            .collect::<Result<_, _>>()?,
        _ => return Err(format!("{at}.queries: must be a list of queries")),
    };
    let dataset = Template::parse(keys.required_string("dataset")?)
        .map_err(|e| format!("{at}.dataset: {e}"))?;
    keys.unread(warnings);
    Ok((dataset, queries))
}

fn read_query(query: &Value, at: String, warnings: &mut Vec<String>) -> Result<Query, String> {
    let mut keys = Keys::of(query, at.clone())?;
    if keys.get("aggregate").is_some() {
        return Err(format!(
            "{at}: aggregate queries are not supported; use an equality \"find\" or a \"fuzzy\" query"
        ));
    }
    if keys.get("url").is_some() || keys.get("method").is_some() {
        return Err(format!(
            "{at}: queries to HTTP APIs are not supported; only dataset queries are"
        ));
    }
    for changes_the_result in ["sort", "skip", "limit"] {
        if keys.get(changes_the_result).is_some() {
            return Err(format!("{at}.{changes_the_result}: is not supported"));
        }
    }
    let query = match (keys.get("find"), keys.get("fuzzy")) {
        (Some(find), None) => read_find(find, &format!("{at}.find"))?,
        (None, Some(fuzzy)) => read_fuzzy(fuzzy, format!("{at}.fuzzy"), warnings)?,
        (Some(_), Some(_)) => return Err(format!("{at}: has both \"find\" and \"fuzzy\"")),
        (None, None) => return Err(format!("{at}: must be a \"find\" or a \"fuzzy\" query")),
    };
    keys.unread(warnings);
    Ok(query)
}

fn read_find(find: &Value, at: &str) -> Result<Query, String> {
    let fields = find
        .as_object()
        .ok_or_else(|| format!("{at}: must be an object of fields and the values they equal"))?;
    if fields.is_empty() {
        return Err(format!(
            "{at}: needs at least one field (an empty find matches every record)"
        ));
    }
    if fields.len() > MAX_FIND_FIELDS {
        return Err(format!(
            "{at}: {} fields, more than the {MAX_FIND_FIELDS} allowed",
            fields.len()
        ));
    }
    let mut read = Vec::with_capacity(fields.len());
    for (field, value) in fields {
        if field.starts_with("//") {
            continue;
        }
        if field.starts_with('$') {
            return Err(format!(
                "{at}: the operator {field:?} is not supported; only equality of fields is"
            ));
        }
        let path = RecordPath::field(field).map_err(|e| format!("{at}: {e}"))?;
        read.push((path, find_value(value, &format!("{at}.{field}"))?));
    }
    Ok(Query::Find(read))
}

fn find_value(value: &Value, at: &str) -> Result<FindValue, String> {
    match value {
        Value::String(text) => Ok(FindValue::Text(
            Template::parse(text).map_err(|e| format!("{at}: {e}"))?,
        )),
        Value::Number(_) | Value::Bool(_) | Value::Null => Ok(FindValue::Literal(value.clone())),
        Value::Object(operators) => match operators.iter().next() {
            // `{"$eq": v}` is the equality written out.
            Some((operator, inner))
                if operators.len() == 1
                    && operator == "$eq"
                    && !inner.is_object()
                    && !inner.is_array() =>
            {
                find_value(inner, at)
            }
            Some((operator, _)) if operator.starts_with('$') => Err(format!(
                "{at}: the operator {operator:?} is not supported; only equality is"
            )),
            _ => Err(format!(
                "{at}: equality with a whole object is not supported; name its fields with dots"
            )),
        },
        Value::Array(_) => Err(format!("{at}: equality with a list is not supported")),
    }
}

fn read_fuzzy(fuzzy: &Value, at: String, warnings: &mut Vec<String>) -> Result<Query, String> {
    let mut keys = Keys::of(fuzzy, at.clone())?;
    let field = RecordPath::field(keys.required_string("field")?)
        .map_err(|e| format!("{at}.field: {e}"))?;
    let value =
        Template::parse(keys.required_string("value")?).map_err(|e| format!("{at}.value: {e}"))?;
    let threshold = match keys.get("threshold") {
        None | Some(Value::Null) => DEFAULT_FUZZY_THRESHOLD,
        Some(value) => value
            .as_f64()
            .filter(|t| *t > 0.0 && *t <= 1.0)
            .ok_or_else(|| format!("{at}.threshold: must be a number above 0 and at most 1"))?,
    };
    keys.unread(warnings);
    Ok(Query::Fuzzy {
        field,
        value,
        threshold,
    })
}

fn read_mapping(
    mapping: &Value,
    at: String,
    warnings: &mut Vec<String>,
) -> Result<Mapping, String> {
    let mut keys = Keys::of(mapping, at.clone())?;
    let target_schema_id = keys.required_string("target_schema_id")?;
    if !is_schema_id(target_schema_id) {
        return Err(format!(
            "{at}.target_schema_id: {target_schema_id:?} is not a schema id"
        ));
    }
    let dataset_key = RecordPath::parse(keys.required_string("dataset_key")?)
        .map_err(|e| format!("{at}.dataset_key: {e}"))?;
    let label = match (keys.string("label_template")?, keys.get("label_keys")) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{at}: has both label_template and label_keys; keep one"
            ));
        }
        (Some(template), None) => Label::Template(
            label_template(template).map_err(|e| format!("{at}.label_template: {e}"))?,
        ),
        (None, Some(Value::Array(label_keys))) => Label::Keys(
            label_keys
                .iter()
                .map(|key| {
                    key.as_str()
                        .ok_or_else(|| "each must be a string".to_owned())
                        .and_then(RecordPath::parse)
                        .map_err(|e| format!("{at}.label_keys: {e}"))
                })
                .collect::<Result<_, _>>()?,
        ),
        (None, Some(_)) => return Err(format!("{at}.label_keys: must be a list of keys")),
        (None, None) => Label::Value,
    };
    keys.unread(warnings);
    Ok(Mapping {
        target_schema_id: target_schema_id.to_owned(),
        dataset_key,
        label,
    })
}

/// `{code} - {name}`: text with `{record path}` references.
fn label_template(template: &str) -> Result<Vec<LabelPart>, String> {
    braced_pieces(template)?
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => Ok(LabelPart::Text(text.to_owned())),
            Piece::Braced(key) => RecordPath::parse(key).map(LabelPart::Path),
        })
        .collect()
}

fn read_default(
    value: &Value,
    at: String,
    warnings: &mut Vec<String>,
) -> Result<DefaultValue, String> {
    let mut keys = Keys::of(value, at.clone())?;
    let mut text = |key: &'static str| match keys.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        Some(_) => Err(format!("{at}.{key}: must be a string")),
    };
    let (value, label) = (text("value")?, text("label")?);
    keys.unread(warnings);
    Ok(DefaultValue { value, label })
}

fn read_result_actions(
    value: &Value,
    at: String,
    warnings: &mut Vec<String>,
) -> Result<ResultActions, String> {
    let mut keys = Keys::of(value, at.clone())?;
    let mut action = |key: &'static str| match keys.get(key) {
        None | Some(Value::Null) => Ok(ResultAction::default()),
        Some(value) => read_result_action(value, format!("{at}.{key}"), warnings),
    };
    let actions = ResultActions {
        no_match_found: action("no_match_found")?,
        one_match_found: action("one_match_found")?,
        multiple_matches_found: action("multiple_matches_found")?,
    };
    keys.unread(warnings);
    Ok(actions)
}

fn read_result_action(
    value: &Value,
    at: String,
    warnings: &mut Vec<String>,
) -> Result<ResultAction, String> {
    let mut keys = Keys::of(value, at.clone())?;
    let select = match keys.string("select")? {
        None | Some("default") => Select::Default,
        Some("best_match") => Select::BestMatch,
        Some(other) => {
            return Err(format!(
                "{at}.select: {other:?} is not one of \"best_match\" and \"default\""
            ));
        }
    };
    let message = match keys.get("message") {
        None | Some(Value::Null) => None,
        Some(message) => {
            let at = format!("{at}.message");
            let mut message_keys = Keys::of(message, at.clone())?;
            let kind = message_keys.string("type")?.unwrap_or("error");
            if !matches!(kind, "error" | "warning" | "info") {
                return Err(format!(
                    "{at}.type: {kind:?} is not one of error, warning and info"
                ));
            }
            let content = message_keys.required_string("content")?.to_owned();
            let kind = kind.to_owned();
            message_keys.unread(warnings);
            Some(ActionMessage { kind, content })
        }
    };
    keys.unread(warnings);
    Ok(ResultAction { select, message })
}
